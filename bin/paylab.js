#!/usr/bin/env node
// paylab ships TypeScript; tsx loads it, so there is no build step between a clone and a run.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('./cli.ts')
process.exitCode = await main(process.argv.slice(2))
