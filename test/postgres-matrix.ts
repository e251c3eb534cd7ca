// `npm run test:postgres`: the store matrix's PostgreSQL side. Starts a PostgreSQL cluster
// (test/helpers/postgres.ts), then runs the gateway's and the channel profiles' tests with
// PAYLAB_TEST_DATABASE_URL set, so that every gateway they build keeps its state in a fresh
// schema of it instead of in memory (test/helpers/build.ts), and the replica tests of
// test/postgres/. Not part of `npm test`: PostgreSQL is a second store, tested on its own.
// Arguments replace the default folders: `npm run test:postgres -- test/gateway/pay.test.ts`.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPostgres } from './helpers/postgres.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const files = args.filter((a) => !a.startsWith('-'))
/** The test files of a folder (not its helpers). */
function testsIn (dir: string): string[] {
  return readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `${dir}/${f}`)
}

const pg = await startPostgres()
const started = Date.now()
const tap = spawn(process.execPath, [
  join(ROOT, 'node_modules', 'tap', 'dist', 'esm', 'run.mjs'), '--disable-coverage', '--jobs=2', ...args,
  ...(files.length > 0 ? [] : ['test/gateway', 'test/channels', 'test/postgres'].flatMap(testsIn))
], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, PAYLAB_TEST_DATABASE_URL: pg.url } })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => tap.kill(signal))
tap.on('close', (code, signal) => {
  void pg.stop().then(() => {
    console.log(`# test:postgres wall time ${((Date.now() - started) / 1000).toFixed(1)} s`)
    process.exitCode = code ?? (signal === null ? 1 : 128)
  })
})
