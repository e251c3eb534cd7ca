// The change feed and the tombstones of the PostgreSQL store stay bounded: rows every replica has
// read are pruned, and a replica left behind the pruned feed reloads and converges (feed.ts).
import t, { type Test } from 'tap'
import pg from 'pg'
import { live, type LiveGateway } from '../helpers/live.js'
import { orderId } from '../helpers/build.js'
import { startPostgres } from '../helpers/postgres.js'
import { PostgresStore } from '../../gateway/store/postgres/postgres-store.js'
import type { Change, Snapshot } from '../../gateway/engine/db.js'

const server = await startPostgres()
t.teardown(() => server.stop())

const plainCard = { number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' }
const createBody = () => ({ merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'card', card: plainCard } })

async function sql (t: Test, url: string): Promise<(text: string) => Promise<number>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  t.teardown(() => client.end())
  return async (text) => Number((await client.query<{ n: string }>(text)).rows[0]?.n)
}

/** A replica whose store prunes only when the test asks. */
async function replica (t: Test, url: string): Promise<{ gw: LiveGateway, store: PostgresStore }> {
  const store = new PostgresStore({ url, pruneEveryMs: Infinity })
  return { gw: await live(t, { store, config: { allowPlaintextCards: true } }), store }
}

/** The tables as a store's open() and catch-ups leave them. */
function applied (snapshot: Snapshot, changes: Change[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const [table, rows] of Object.entries(snapshot)) for (const row of rows as Array<{ id: string }>) out.set(`${table}/${row.id}`, JSON.stringify(row))
  for (const c of changes) {
    if ('deleted' in c) out.delete(`${c.table}/${c.id}`)
    else out.set(`${c.table}/${c.id}`, JSON.stringify(c.value))
  }
  // Clock and nonce rows aside, the order records arrive in is not what is compared.
  return new Map([...out].sort(([a], [b]) => a < b ? -1 : 1))
}

t.test('the feed stays bounded under many writes, pruned once every replica has read it', async (t) => {
  const url = server.freshSchemaUrl()
  const a = await replica(t, url)
  const b = await replica(t, url)
  const count = await sql(t, url)
  let most = 0
  for (let round = 0; round < 5; round++) {
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).gw.create(createBody())))
    await a.gw.payment((await b.gw.create(createBody())).id) // A has read everything B wrote
    await b.gw.payment((await a.gw.create(createBody())).id)
    most = Math.max(most, await count('SELECT count(*) AS n FROM paylab_changes'))
    await b.store.prune()
    const pruned = await a.store.prune()
    t.ok(pruned.changes > 0, `round ${round}: ${pruned.changes} feed rows pruned`)
  }
  const left = await count('SELECT count(*) AS n FROM paylab_changes')
  t.ok(left < most, `what is left (${left}) is less than one round wrote (${most})`)
  // Both replicas still agree after the pruning.
  const made = await a.gw.create(createBody())
  t.equal((await b.gw.payment(made.id)).id, made.id, 'a write on A read on B')
  const again = await b.gw.create(createBody())
  t.equal((await a.gw.payment(again.id)).id, again.id, 'a write on B read on A')
})

t.test('a replica behind the pruned feed reloads, and converges; tombstones go', async (t) => {
  const url = server.freshSchemaUrl()
  const a = await replica(t, url)
  const rule = (await a.gw.admin({ method: 'POST', url: '/admin/rules', payload: { merchant_id: 'demo', fault: 'http_503', match: { path: '/nowhere' } } })).json()
  // The lagging replica: a store that reads the database now, then nothing until after the pruning.
  const behind = new PostgresStore({ url, pruneEveryMs: Infinity })
  t.teardown(() => behind.close())
  const opened = await behind.open()
  const count = await sql(t, url)
  const openedAt = await count('SELECT coalesce(max(seq), 0) AS n FROM paylab_changes')
  t.ok(opened.rules?.some((r) => r.id === rule.id), 'it has read the rule')
  const first = await a.gw.create(createBody())
  await a.gw.answer({ method: 'POST', path: `/v1/payments/${first.id as string}/cancel` })
  for (let i = 0; i < 30; i++) await a.gw.create(createBody())
  t.equal((await a.gw.admin({ method: 'DELETE', url: `/admin/rules/${rule.id as string}` })).statusCode, 200)
  t.ok(await count('SELECT count(*) AS n FROM paylab_rows WHERE value IS NULL') > 0, 'deletions left tombstones')
  const unread = `SELECT count(*) AS n FROM paylab_changes WHERE seq > ${openedAt}`
  const feed = await count(unread)
  await a.store.prune()
  t.ok(await count(unread) >= feed && feed > 0, 'what a replica has not read yet is kept for it')
  // A horizon of 0: every feed row goes, read or not (as for a replica gone longer than the horizon).
  const pruned = await a.store.prune(0)
  t.ok(pruned.changes > 0 && pruned.tombstones > 0, `pruned ${pruned.changes} feed rows and ${pruned.tombstones} tombstones`)
  t.equal(await count('SELECT count(*) AS n FROM paylab_changes'), 0, 'the feed is empty')
  t.equal(await count('SELECT count(*) AS n FROM paylab_rows WHERE value IS NULL'), 0, 'no tombstone left')
  const caught = await behind.catchUp()
  const fresh = new PostgresStore({ url, pruneEveryMs: Infinity })
  t.teardown(() => fresh.close())
  t.same(applied(opened, caught), applied(await fresh.open(), []), 'what it holds after catching up is what a fresh start reads')
  t.notOk(applied(opened, caught).has(`rules/${rule.id as string}`), 'the deleted rule is gone from it')
  t.same(await behind.catchUp(), [], 'and it follows the feed again from there')
  const later = await a.gw.create(createBody())
  t.ok((await behind.catchUp()).some((c) => c.table === 'payments' && c.id === later.id), 'a later write reaches it by the feed')
})

t.test('the versions of deleted records are forgotten once the feed is pruned past them; made again, they are stored', async (t) => {
  const url = server.freshSchemaUrl()
  const a = new PostgresStore({ url, pruneEveryMs: Infinity })
  const b = new PostgresStore({ url, pruneEveryMs: Infinity })
  t.teardown(() => a.close())
  t.teardown(() => b.close())
  await a.open()
  await b.open()
  const ids = Array.from({ length: 20 }, (_, i) => `rule_gone${i}`)
  await a.append(ids.map((id) => ({ table: 'rules', id, value: { id } })))
  await a.append(ids.map((id) => ({ table: 'rules', id, deleted: true })))
  await a.catchUp()
  t.equal((await b.catchUp()).filter((c) => 'deleted' in c).length, 20, 'B applied the deletions from the feed')
  const kept = [a.versionsKept, b.versionsKept]
  t.ok(kept.every((n) => n >= 20), `both keep the deleted records' versions (${kept.join(', ')})`)
  // Each reports where it read, then one prunes; the other learns the new floor at its next turn.
  for (const store of [a, b, a]) await store.prune()
  const count = await sql(t, url)
  t.equal(await count("SELECT count(*) AS n FROM paylab_rows WHERE value IS NULL AND tbl = 'rules'"), 0, 'the tombstones are gone')
  t.same([a.versionsKept, b.versionsKept], kept.map((n) => n - 20), 'and so are their versions, on the replica that deleted them and on the other')
  // A record made again with an id the feed forgot: a new row, not a conflict with a version no row has.
  await t.resolves(a.append([{ table: 'rules', id: 'rule_gone0', value: { id: 'rule_gone0' } }]), 'made again on A')
  await b.catchUp()
  await t.resolves(b.append([{ table: 'rules', id: 'rule_gone0', deleted: true }, { table: 'rules', id: 'rule_gone1', value: { id: 'rule_gone1' } }]), 'changed on B, and another made again there')
  t.same(await a.catchUp(), [{ table: 'rules', id: 'rule_gone0', deleted: true }, { table: 'rules', id: 'rule_gone1', value: { id: 'rule_gone1' } }], 'A reads both')
})
