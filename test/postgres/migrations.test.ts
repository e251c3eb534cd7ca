// The PostgreSQL store's schema: numbered migrations applied at start, each once per schema (a
// second start, and replicas starting at the same moment, apply nothing twice), and a commit that
// is one transaction (gateway/store/postgres/migrations.ts). A real PostgreSQL (test/helpers/postgres.ts).
import t, { type Test } from 'tap'
import pg from 'pg'
import { buildGateway } from '../../gateway/server.js'
import { MIGRATIONS, migrate } from '../../gateway/store/postgres/migrations.js'
import { testCrypto } from '../helpers/build.js'
import { startPostgres } from '../helpers/postgres.js'

const server = await startPostgres()
t.teardown(() => server.stop())

async function client (t: Test, url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  t.teardown(() => c.end())
  return c
}

const applied = async (c: pg.Client): Promise<Array<{ version: number, name: string, at: string }>> =>
  (await c.query<{ version: number, name: string, at: string }>('SELECT version, name, applied_at::text AS at FROM schema_migrations ORDER BY version')).rows

const versions = MIGRATIONS.map((m) => m.version)

t.test('the migrations are numbered in order and applied once: migrating again applies none', async (t) => {
  t.same(versions, Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1), 'versions 1, 2, 3… with no gap')
  const c = await client(t, server.freshSchemaUrl())
  t.same(await migrate(c), versions, 'a new schema gets every migration, in order')
  const first = await applied(c)
  t.same(first.map((r) => [r.version, r.name]), MIGRATIONS.map((m) => [m.version, m.name]), 'each remembered with its name')
  t.same(await migrate(c), [], 'the second time, none')
  t.same(await applied(c), first, 'schema_migrations is as it was')
})

t.test('replicas starting at the same moment: each migration is applied by one of them', async (t) => {
  const url = server.freshSchemaUrl()
  const clients = await Promise.all(Array.from({ length: 4 }, async () => await client(t, url)))
  const results = await Promise.all(clients.map(async (c) => await migrate(c)))
  t.same(results.flat().sort((a, b) => a - b), versions, `every version once in all: ${JSON.stringify(results)}`)
  t.same((await applied(clients[0]!)).map((r) => r.version), versions)
})

t.test('a second start of a gateway on the same database applies nothing and finds its state', async (t) => {
  const url = server.freshSchemaUrl()
  const first = await buildGateway({ databaseUrl: url, crypto: testCrypto })
  const secret = first.engine.merchant('demo').hmac_secret
  await first.app.close()
  const c = await client(t, url)
  const before = await applied(c)
  t.same(before.map((r) => r.version), versions, 'the first start applied them')
  const second = await buildGateway({ databaseUrl: url, crypto: testCrypto })
  t.teardown(() => second.app.close())
  t.same(await applied(c), before, 'the second start applied nothing')
  t.equal(second.engine.merchant('demo').hmac_secret, secret, 'and has the state the first one stored')
})

t.test('a commit is one transaction: a refused change anywhere in it leaves nothing of it', async (t) => {
  const c = await client(t, server.freshSchemaUrl())
  await migrate(c)
  // The store's batch: table, key, unique key, value, the version it read (0: a new row).
  const row = (k: string, e: number) => ({ t: 'payments', k, u: null, v: JSON.stringify({ id: k }), e })
  await c.query('SELECT paylab_apply($1)', [JSON.stringify([row('a', 0)])])
  const refused = await c.query('SELECT paylab_apply($1)', [JSON.stringify([row('b', 0), row('a', 7)])]).then(() => undefined, (err: { code?: string }) => err.code)
  t.equal(refused, 'PY409', 'a change naming a version the row does not have is refused')
  const rows = (await c.query<{ id: string, version: number }>('SELECT id, version FROM paylab_rows ORDER BY id')).rows
  t.same(rows, [{ id: 'a', version: 1 }], 'the new row of the refused commit is not there, the other is untouched')
  t.equal(Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM paylab_changes')).rows[0]?.n), 1, 'and the feed holds the first commit only')
})
