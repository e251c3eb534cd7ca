#!/usr/bin/env node
// `npm run bench`: the benchmark is TypeScript like the rest; tsx loads it (see bin/paylab.js).
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../bench/run.ts')
process.exitCode = await main(process.argv.slice(2))
