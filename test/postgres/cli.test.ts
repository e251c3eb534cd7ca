// `paylab gateway --database-url`: the CLI on a real PostgreSQL (test/helpers/postgres.ts), its
// refusals, and the store named at start. Runs the built CLI (dist/: npm run build).
import t from 'tap'
import { LIST_LOADED_PACKAGES, loadedPackages, runCli, startGateway } from '../helpers/cli.js'
import { startPostgres } from '../helpers/postgres.js'

const pg = await startPostgres()
t.teardown(() => pg.stop())

t.test('--database-url starts the gateway on PostgreSQL and says so, without the credentials', async (t) => {
  const url = new URL(pg.freshSchemaUrl())
  url.password = 'not-shown'
  const gw = await startGateway(t, ['--port', '0', '--database-url', url.toString()], undefined, LIST_LOADED_PACKAGES)
  t.match(gw.stdout(), new RegExp(`store: +PostgreSQL 127\\.0\\.0\\.1:${url.port}/postgres`))
  t.notMatch(gw.stdout(), /not-shown/, 'the password is not printed')
  const health = await fetch(`${gw.url}/healthz`)
  t.equal(health.status, 200)
  // Only here is pg loaded (test/cli-startup.test.ts: a --memory gateway loads none of it).
  const { code, stderr } = await gw.stop()
  t.equal(code, 0)
  t.ok(loadedPackages(stderr).includes('pg'), 'the pg driver was loaded')
})

t.test('PAYLAB_DATABASE_URL does the same', async (t) => {
  // The child's environment is copied when it is spawned, at once.
  process.env.PAYLAB_DATABASE_URL = pg.freshSchemaUrl()
  const starting = startGateway(t, ['--port', '0'])
  delete process.env.PAYLAB_DATABASE_URL
  const gw = await starting
  t.match(gw.stdout(), /store: +PostgreSQL /)
})

t.test('refusals: not a postgres URL, beside --memory, a database that does not answer', async (t) => {
  const notPg = await runCli(['gateway', '--port', '0', '--database-url', 'mysql://x/y'])
  t.equal(notPg.code, 2)
  t.match(notPg.stderr, /--database-url must be a postgres:\/\/ URL/)
  const both = await runCli(['gateway', '--port', '0', '--memory', '--database-url', pg.url])
  t.equal(both.code, 2)
  t.match(both.stderr, /--database-url and --memory exclude each other/)
  const down = await runCli(['gateway', '--port', '0', '--database-url', 'postgres://nobody@127.0.0.1:1/none'])
  t.equal(down.code, 1)
  t.match(down.stderr, /^paylab gateway: cannot use the database 127\.0\.0\.1:1\/none: /)
  t.notMatch(down.stderr, /\n\s+at /, 'one line, no stack trace')
})
