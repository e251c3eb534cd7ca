#!/usr/bin/env node
// The `paylab` command: the compiled CLI in dist/ (`npm run build`; `npm install` of a clone runs it).
const { main } = await import('../dist/bin/cli.js')
process.exitCode = await main(process.argv.slice(2))
