#!/usr/bin/env node
// `npm run bench`: the benchmark is TypeScript like the rest; tsx loads it (see bin/paylab.js). The
// gateway it measures is dist/, built first (an unchanged tree builds in a fraction of a second).
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.js', import.meta.url))], { stdio: ['ignore', 2, 2] })
register()
const { main } = await import('../bench/run.ts')
process.exitCode = await main(process.argv.slice(2))
