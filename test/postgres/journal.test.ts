// The request journal with several replicas on one PostgreSQL database: a request answered by one
// replica is in the journal every replica's admin API and dashboard read (docs/postgres.md).
import t, { type Test } from 'tap'
import { live, type LiveGateway } from '../helpers/live.js'
import { orderId } from '../helpers/build.js'
import { startPostgres } from '../helpers/postgres.js'
import { PostgresJournal } from '../../gateway/store/postgres/journal.js'
import type { JournalEntry } from '../../gateway/engine/journal.js'

const pg = await startPostgres()
t.teardown(() => pg.stop())

const plainCard = { number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' }
const createBody = (order = orderId()) => ({ merchant_order_id: order, amount: 1999, currency: 'USD', method: { type: 'card', card: plainCard } })

async function replicas (t: Test, n: number, url = pg.freshSchemaUrl()): Promise<LiveGateway[]> {
  const out: LiveGateway[] = []
  for (let i = 0; i < n; i++) out.push(await live(t, { databaseUrl: url, config: { allowPlaintextCards: true } }))
  return out
}

const journalOf = async (gw: LiveGateway, query: string): Promise<JournalEntry[]> => (await gw.admin({ method: 'GET', url: `/admin/journal?${query}` })).json().data
const countOf = async (gw: LiveGateway, query: string): Promise<number> => (await gw.admin({ method: 'GET', url: `/admin/journal/count?${query}` })).json().count

t.test('a request answered by one replica is in the journal of every replica', async (t) => {
  const [a, b, c] = await replicas(t, 3) as [LiveGateway, LiveGateway, LiveGateway]
  const made = await a.create(createBody())
  await b.payment(made.id)
  // Each replica writes its entries before it reads: asked first, B has written its own.
  await journalOf(b, 'limit=1')
  t.same((await a.engine.journal({ payment_id: made.id })).map((e) => `${e.method} ${e.status ?? ''}`), ['POST 201', 'GET 200'], 'A lists its create and B\'s query')
  const onC = await c.engine.journal({ payment_id: made.id })
  t.same(onC.map((e) => `${e.method} ${e.path} ${e.status}`), ['POST /v1/payments 201', `GET /v1/payments/${made.id as string} 200`], 'C, which answered neither, lists both')
  t.equal(onC[0]?.merchant_order_id, made.merchant_order_id, 'with what the request was about')
  t.ok((onC[0]?.seq ?? 0) < (onC[1]?.seq ?? 0), 'one seq for every replica, in order')
  const one = await c.admin({ method: 'GET', url: `/dashboard/journal/${onC[0]?.seq ?? 0}`, headers: { accept: 'text/html' } })
  t.match(one.body, made.id as string, 'the dashboard of C shows the entry A wrote')
  const timeline = await c.engine.timeline(made.id as string)
  t.same(timeline?.requests.map((e) => e.method), ['POST', 'GET'], 'so does the payment\'s timeline on C')
})

t.test('requests spread across replicas are counted once each, wherever the journal is read', async (t) => {
  const gws = await replicas(t, 3)
  const n = 30
  await Promise.all(Array.from({ length: n }, (_, i) => (gws[i % 3] as LiveGateway).create(createBody())))
  for (const gw of gws) await countOf(gw, 'limit=1') // each writes what it answered
  for (const [i, gw] of gws.entries()) t.equal(await countOf(gw, 'method=POST&path=/v1/payments'), n, `replica ${i} counts ${n} creates`)
  const since = (await journalOf(gws[0] as LiveGateway, 'limit=1'))[0]?.seq ?? 0
  await (gws[1] as LiveGateway).create(createBody())
  t.equal((await journalOf(gws[1] as LiveGateway, `since=${since}`)).length, 1, 'since a seq: only what came after, across replicas')
  t.equal((await (gws[2] as LiveGateway).admin({ method: 'DELETE', url: '/admin/journal?merchant_id=demo' })).statusCode, 200)
  t.equal(await countOf(gws[0] as LiveGateway, 'merchant_id=demo'), 0, 'cleared on one replica, cleared for all')
})

t.test('a connection a fault ends without an answer is journaled too', async (t) => {
  const [a, b] = await replicas(t, 2) as [LiveGateway, LiveGateway]
  const out = await a.call({ method: 'POST', path: '/v1/payments', body: createBody(), headers: { 'paylab-scenario': 'connection_reset' } })
  t.notOk(out.ok, 'no answer')
  // The entry is handed over when the connection closes, after the client saw it close.
  let entries: JournalEntry[] = []
  for (let i = 0; i < 50 && entries.length === 0; i++) entries = await journalOf(a, 'method=POST')
  t.match(entries, [{ fault: 'connection_reset', status: null }], 'on the replica that dropped it')
  t.match(await journalOf(b, 'method=POST'), [{ fault: 'connection_reset', status: null }], 'and on the other')
})

t.test('the shared journal keeps the newest entries only', async (t) => {
  const url = pg.freshSchemaUrl()
  await replicas(t, 1, url) // applies the migrations
  const journal = new PostgresJournal(url, 50)
  t.teardown(() => journal.close())
  const entry = (i: number): JournalEntry => ({
    seq: 0, request_id: `req_${i}`, time: new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString(), channel: 'paylab', merchant_id: 'demo', method: 'GET', path: `/v1/payments/p_${i}`,
    query: null, status: 200, latency_ms: 1, signature: null, idempotency: null, fault: null, rule_id: null, outcome: null, merchant_order_id: null, payment_id: `p_${i}`, error_code: null
  })
  for (let i = 0; i < 1200; i++) journal.add(entry(i))
  t.equal(await journal.count({}), 50, 'the newest 50 are read')
  const listed = await journal.query({ limit: 1000 })
  t.same(listed.map((e) => e.request_id), Array.from({ length: 50 }, (_, i) => `req_${1150 + i}`), 'oldest first, the oldest gone')
  t.equal(await journal.entry((listed[0]?.seq ?? 0) - 1), undefined, 'one past the bound is gone')
  t.same((await journal.query({ path: '/v1/payments/p_11?9' })).map((e) => e.payment_id), ['p_1159', 'p_1169', 'p_1179', 'p_1189', 'p_1199'], 'globs as the ring matches them')
  t.same((await journal.query({ since: '2030-01-01T00:19:58Z' })).map((e) => e.request_id), ['req_1199'], 'since an instant')
  const { Client } = (await import('pg')).default
  const client = new Client({ connectionString: url })
  await client.connect()
  t.teardown(() => client.end())
  const rows = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM paylab_journal')).rows[0]?.n)
  t.ok(rows <= 50 + 500, `the table is pruned (${rows} rows for 1200 written)`)
})

const entryAt = (i: number): JournalEntry => ({
  seq: 0, request_id: `req_${i}`, time: new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString(), channel: 'paylab', merchant_id: 'demo', method: 'GET', path: `/v1/payments/p_${i}`,
  query: null, status: 200, latency_ms: 1, signature: null, idempotency: null, fault: null, rule_id: null, outcome: null, merchant_order_id: null, payment_id: `p_${i}`, error_code: null
})

t.test('entries handed over while the journal closes are written, not lost', async (t) => {
  const url = pg.freshSchemaUrl()
  await replicas(t, 1, url) // applies the migrations
  const journal = new PostgresJournal(url)
  for (let i = 0; i < 3; i++) journal.add(entryAt(i))
  const closing = journal.close()
  // A held connection the shutdown ends hands its entry over now, and one a turn later.
  journal.add(entryAt(3))
  setImmediate(() => journal.add(entryAt(4)))
  await closing
  const reader = new PostgresJournal(url)
  t.teardown(() => reader.close())
  t.same((await reader.query({})).map((e) => e.request_id), ['req_0', 'req_1', 'req_2', 'req_3', 'req_4'], 'every entry handed over before the close ended')
})

t.test('a journal the database fails: a 503 with its code, never a 500 or a crash', async (t) => {
  const url = pg.freshSchemaUrl()
  const [a] = await replicas(t, 1, url) as [LiveGateway]
  const { Client } = (await import('pg')).default
  const client = new Client({ connectionString: url })
  await client.connect()
  t.teardown(() => client.end())
  t.same((await journalOf(a, `since=${'9'.repeat(40)}`)), [], 'a seq past any bigint: nothing after it, as in the ring')
  // The table out of reach, as while PostgreSQL restarts: batch inserts fail, reads fail.
  await client.query('ALTER TABLE paylab_journal RENAME TO paylab_journal_away')
  const made = await a.create(createBody())
  t.ok(made.id, 'requests are still answered')
  for (const url of ['/admin/journal', '/admin/journal/count']) {
    const res = await a.admin({ method: 'GET', url })
    t.same([res.statusCode, res.json().error.code], [503, 'PAYLAB_STORAGE_UNAVAILABLE'], `GET ${url}: 503`)
    t.ok(res.headers['retry-after'], 'with Retry-After')
  }
  t.equal((await a.admin({ method: 'DELETE', url: '/admin/journal' })).statusCode, 503, 'DELETE /admin/journal: 503')
  await client.query('ALTER TABLE paylab_journal_away RENAME TO paylab_journal')
  await a.payment(made.id)
  t.match(await journalOf(a, `payment_id=${made.id as string}&method=GET`), [{ status: 200 }], 'the journal is written again once the database is back')
  // With no database at all: the reads refuse with the code, the writes in the background are dropped.
  const gone = new PostgresJournal('postgres://nobody@127.0.0.1:1/none')
  gone.add(entryAt(1))
  await t.rejects(gone.query({}), { code: 'PAYLAB_STORAGE_UNAVAILABLE', statusCode: 503 })
  await gone.close()
})

t.test('a database that stops answering: journal reads give up with a 503 instead of waiting for ever', async (t) => {
  // Accepts connections and never says a word, as a hung host does.
  const { createServer } = await import('node:net')
  const sockets = new Set<import('node:net').Socket>()
  const silent = createServer((s) => { sockets.add(s) })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const s of sockets) s.destroy(); silent.close() })
  const journal = new PostgresJournal(`postgres://nobody@127.0.0.1:${(silent.address() as { port: number }).port}/none`, 100, 300)
  journal.add(entryAt(1))
  let timer: NodeJS.Timeout | undefined
  const gaveUp = new Promise((resolve) => { timer = setTimeout(() => resolve('still waiting after 5 s'), 5000) })
  const outcome = await Promise.race([journal.query({}).then(() => 'answered', (err: { code?: string, statusCode?: number }) => `${err.statusCode ?? ''} ${err.code ?? ''}`), gaveUp])
  clearTimeout(timer)
  t.equal(outcome, '503 PAYLAB_STORAGE_UNAVAILABLE', 'the read gave up')
  const closed = await Promise.race([journal.close().then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('close hangs'), 5000))])
  t.equal(closed, 'closed', 'and the journal closes')
})
