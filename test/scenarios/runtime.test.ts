// A service that cannot be reached is a runtime error (exit 3), not a failed scenario.
import { createServer } from 'node:net'
import t from 'tap'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { buildGateway } from '../../gateway/server.js'
import { runCli } from '../helpers/cli.js'
import { fixture, run } from './helpers.js'

/** A loopback port that nothing listens on (taken, then given back). */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

t.test('--gateway that is not there: exit 3 before any scenario runs', async (t) => {
  const port = await closedPort()
  const out = await runCli(['scenarios', 'run', 'test/scenarios/fixtures/passing.yaml', '--gateway', `http://127.0.0.1:${port}`, '--admin-token', 'x'])
  t.equal(out.code, 3)
  t.match(out.stderr, new RegExp(`GET http://127\\.0\\.0\\.1:${port}/admin/clock: cannot be reached \\(ECONNREFUSED\\)`))
  t.equal(out.stdout, '')
})

t.test('--gateway without its admin token, --shop without its merchant: exit 3 and what is missing', async (t) => {
  const noToken = await run({ paths: [fixture('passing.yaml')], gatewayUrl: 'http://127.0.0.1:9' })
  t.equal(noToken.code, 3)
  t.match(noToken.stderr, /--gateway needs --admin-token/)
  const noMerchant = await run({ paths: [fixture('passing.yaml')], shopUrl: 'http://127.0.0.1:9' })
  t.equal(noMerchant.code, 3)
  t.match(noMerchant.stderr, /--shop needs --shop-merchant and --shop-secret/)
})

t.test('a wrong admin token is a runtime error too', async (t) => {
  const { app } = await buildGateway({ memory: true, clock: new VirtualClock(), logger: false })
  t.teardown(() => app.close())
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const out = await run({ paths: [fixture('passing.yaml')], gatewayUrl: url, adminToken: 'not-the-token' })
  t.equal(out.code, 3)
  t.match(out.stderr, /refused the admin token/)
})

t.test('an http step to a service that is down: the scenario is a runtime error, exit 3', async (t) => {
  const port = await closedPort()
  const out = await run({ paths: [fixture('unreachable.yaml')], vars: { service: `http://127.0.0.1:${port}` } })
  t.equal(out.code, 3)
  t.equal(out.results[0]?.outcome, 'error')
  t.match(out.stdout, /! a service that is not there {2}\(\d+ ms\) \(runtime error\)/)
  t.match(out.stdout, new RegExp(`GET http://127\\.0\\.0\\.1:${port}/health: cannot be reached \\(ECONNREFUSED\\)`))
  t.match(out.stdout, /^0 passed, 1 failed, 0 skipped$/m)
  t.match(out.stdout, /1 could not run: a service was unreachable/)
})
