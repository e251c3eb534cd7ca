// The package as a team installs it: `npm pack`, the tarball installed into a scratch project in a
// temp dir outside the repository, then (a) a TypeScript consumer of paylab/msw and paylab/sdk
// type-checks with `tsc --strict` against the shipped declarations, (b) a plain-JS consumer runs
// msw handlers and the SDK through a payment, (c) `npx paylab gateway --port 0 --memory` answers
// /healthz. One pack and one install for the whole file (from a lock made of the repository's, out
// of npm's local cache); the three consumers run at the same time.
import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { existsSync, statfsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { uncoveredEnv, untracked } from '../helpers/child-env.js'
import { consumerProject } from '../helpers/consumer-project.js'

// npm pack and npm install, with the rest of the suite running beside them on 2 cores, can take
// longer than the suite's 120 s per file.
t.setTimeout(300_000)

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc')
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error']
const since = (start: number): string => `${((performance.now() - start) / 1000).toFixed(1)} s`

const TS_CONFIG = {
  // skipLibCheck as most projects have it; the @ts-expect-error lines below catch a declaration
  // that did not resolve (it would be 'any' and accept them). The libraries of a Node project
  // (@tsconfig/node20's lib), without the DOM's: the shipped declarations must not need it, and
  // tsc reads ~40,000 fewer lines (~0.5 s of CPU).
  compilerOptions: { strict: true, target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, skipLibCheck: true, types: ['node'] },
  files: ['consumer.ts']
}
const TS_CONSUMER = `
import { setupServer } from 'msw/node'
import { createPaylabMsw, type PaylabControl } from 'paylab/msw'
import { PaylabClient, PaylabApiError, type Payment } from 'paylab/sdk'
import type { FastifyInstance } from 'fastify'

const { handlers, control }: { handlers: unknown[], control: PaylabControl } = await createPaylabMsw({ clock: 'virtual' })
setupServer(...(await createPaylabMsw()).handlers)
const demo = control.merchant()
const client = new PaylabClient({ baseUrl: control.baseUrl, merchantId: demo.id, secret: demo.secret })
const payment: Payment = await client.createPayment({ merchant_order_id: 'o', amount: 100, currency: 'USD', method: { type: 'wallet' } })
const status: string = payment.status
const code = (err: unknown): string | undefined => (err instanceof PaylabApiError ? err.code : undefined)
const app: FastifyInstance = control.app
// @ts-expect-error an amount is a number of minor units
await client.createPayment({ merchant_order_id: 'o', amount: '1.00', currency: 'USD', method: { type: 'wallet' } })
// @ts-expect-error no such clock
await createPaylabMsw({ clock: 'sundial' })
// @ts-expect-error no such method
control.teleport()
export { handlers, status, code, app }
`
const JS_CONSUMER = `
import { setupServer } from 'msw/node'
import { createPaylabMsw } from 'paylab/msw'
import { PaylabClient } from 'paylab/sdk'

const { handlers, control } = await createPaylabMsw()
const server = setupServer(...handlers)
server.listen({ onUnhandledRequest: 'error' })
const demo = control.merchant()
const client = new PaylabClient({ baseUrl: control.baseUrl, merchantId: demo.id, secret: demo.secret })
const card = { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' }
const payment = await client.createPayment({ merchant_order_id: 'pack-1', amount: 1999, currency: 'USD', method: { type: 'card', card } })
const fetched = await client.getPayment(payment.id)
const stored = control.payments().length
server.close()
await control.close()
console.log(JSON.stringify({ status: fetched.status, amount: fetched.amount, stored, msw: import.meta.resolve('paylab/msw'), sdk: import.meta.resolve('paylab/sdk') }))
`

/**
 * Where the scratch project goes: a RAM-backed tmpfs (/dev/shm) when there is one with room, else
 * the system's temp dir. The install writes ~7,500 files (~80 MB); on this machine's disk that
 * cost npm 9-11 s of kernel CPU, on tmpfs 3 s, for the same install.
 */
function scratchRoot (): string {
  try {
    const fs = statfsSync('/dev/shm')
    if (fs.bavail * fs.bsize > 1024 ** 3) return '/dev/shm'
  } catch {}
  return tmpdir()
}

const work = await mkdtemp(join(scratchRoot(), 'paylab-pack-'))
t.teardown(() => rm(work, { recursive: true, force: true }))
const project = join(work, 'consumer')
const started = performance.now()

// `npm test` built dist/ just before (its pretest; npm says which script runs); run alone, this
// brings it up to date, so the pack can skip prepack's build from scratch.
if (process.env.npm_lifecycle_event !== 'test') await run(...untracked(process.execPath, [join(ROOT, 'scripts/build.js')]), { cwd: ROOT, env: uncoveredEnv() })
const { stdout: packed } = await run(...untracked('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work, ...NPM_QUIET]), { cwd: ROOT, maxBuffer: 16 << 20, env: uncoveredEnv() })
const [pack] = JSON.parse(packed) as Array<{ filename: string, files: Array<{ path: string }> }>
if (pack === undefined) throw new Error(`npm pack said nothing:\n${packed}`)
t.comment(`built and packed in ${since(started)}`)

const { dependencies, devDependencies } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>
await mkdir(project)
// The consumer's lock is the repository's (test/helpers/consumer-project.ts): npm ci resolves nothing.
const { manifest, lock } = await consumerProject(ROOT, project, join('..', pack.filename), { msw: dependencies?.msw ?? '2', '@types/node': devDependencies?.['@types/node'] ?? '20' })
await writeFile(join(project, 'package.json'), JSON.stringify(manifest))
await writeFile(join(project, 'package-lock.json'), JSON.stringify(lock))
await run(...untracked('npm', ['ci', '--prefer-offline', '--ignore-scripts', ...NPM_QUIET]), { cwd: project, maxBuffer: 16 << 20, timeout: 180_000, env: uncoveredEnv() })
t.comment(`installed in ${since(started)}`)
await writeFile(join(project, 'tsconfig.json'), JSON.stringify(TS_CONFIG))
await writeFile(join(project, 'consumer.ts'), TS_CONSUMER)
await writeFile(join(project, 'consumer.mjs'), JS_CONSUMER)

const typecheck = run(...untracked(process.execPath, [TSC, '-p', project]), { cwd: project, env: uncoveredEnv() }).then(
  () => ({ code: 0, out: '' }),
  (err: { code: number, stdout: string }) => ({ code: err.code, out: err.stdout }))
const plainJs = run(...untracked(process.execPath, ['consumer.mjs']), { cwd: project, timeout: 90_000, env: uncoveredEnv() })
const gateway = npxGateway()

/** `npx paylab gateway --port 0 --memory` in the scratch project: its URL once it listens. */
async function npxGateway (): Promise<string> {
  // Its own process group, so that npx and the node it starts are stopped together.
  const child = spawn(...untracked('npx', ['--no-install', 'paylab', 'gateway', '--port', '0', '--memory']), { cwd: project, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: uncoveredEnv() })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  t.teardown(async () => { if (child.exitCode === null) { process.kill(-(child.pid as number), 'SIGTERM'); await exited } })
  let out = ''
  let err = ''
  child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s })
  return await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 90 s:\n${out}\n${err}`)), 90_000)
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m?.[1] !== undefined) { clearTimeout(timer); resolve(m[1]) }
    })
    void exited.then(() => { clearTimeout(timer); reject(new Error(`exited before listening:\n${out}\n${err}`)) })
  })
}

t.test('the tarball ships the compiled package and no tests or sources', async (t) => {
  const shipped = pack.files.map((f) => f.path)
  for (const file of ['bin/paylab.js', 'package.json', 'dist/bin/cli.js', 'dist/gateway/msw/create-paylab-msw.js', 'dist/gateway/msw/create-paylab-msw.d.ts',
    'dist/merchant/sdk/index.js', 'dist/merchant/sdk/index.d.ts', 'dist/openapi.yaml', 'dist/openapi.json', 'dist/gateway/cashier/card-form.js',
    'dist/gateway/dashboard/dashboard.js', 'dist/gateway/dashboard/dashboard.css', 'dist/docs/failures.md',
    'dist/scenarios/scenario.schema.json', 'dist/scenarios/catalogue/card-happy.yaml']) {
    t.ok(shipped.includes(file), `ships ${file}`)
  }
  t.same(shipped.filter((f) => f.startsWith('test/') || /(?<!\.d)\.ts$/.test(f) || f.includes('.tsbuildinfo')), [], 'no tests, no TypeScript sources, no build state')
  t.notOk(existsSync(join(project, 'node_modules/tsx')), 'tsx is not installed with it: nothing needs it at run time')
})

t.test('(a) a TypeScript consumer type-checks with tsc --strict against the shipped declarations', async (t) => {
  const result = await typecheck
  t.equal(result.code, 0, `tsc --strict is clean${result.out === '' ? '' : `:\n${result.out}`}`)
})

t.test('(b) a plain-JS consumer runs msw handlers and the SDK through a payment', async (t) => {
  const result = JSON.parse((await plainJs).stdout) as { status: string, amount: number, stored: number, msw: string, sdk: string }
  t.equal(result.status, 'succeeded')
  t.equal(result.amount, 1999)
  t.equal(result.stored, 1, 'the in-process gateway holds the payment')
  t.match(result.msw, /\/node_modules\/paylab\/dist\/gateway\/msw\/create-paylab-msw\.js$/, 'paylab/msw is the installed, compiled module')
  t.match(result.sdk, /\/node_modules\/paylab\/dist\/merchant\/sdk\/index\.js$/)
})

t.test('(c) npx paylab gateway --port 0 --memory answers /healthz', async (t) => {
  const health = await fetch(`${await gateway}/healthz`)
  t.equal(health.status, 200)
  t.match(await health.json(), { status: 'ok' })
  t.comment(`all three done in ${since(started)}`)
})
