// How a data dir keeps the answers of Idempotency-Keys (docs/guarantees.md): an engine answer's
// JSON is kept as JSON in the journal and the snapshot (format 3), not as an escaped string of it,
// and a replay after a crash or a restart from the snapshot is the first answer byte for byte. Data
// dirs of format 2 (every answer a string) read as before.
import t, { type Test } from 'tap'
import { createHash } from 'node:crypto'
import { cp, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build, orderId, type TestGateway } from '../helpers/build.js'
import { storeDirs } from '../helpers/store-dirs.js'
import { JournalStore } from '../../gateway/store/journal-store.js'

const { tempDir } = storeDirs(t, 'paylab-idem-stored-')

// Strings JSON escapes, a key that orders before the others, characters outside ASCII.
const METADATA = { note: 'é “quoted” \\ \u2028 </script> 😀 \u0000', 10: 'ten', a: 'a' }
const wallet = () => ({ merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'wallet', wallet: { provider: 'alipay' } }, metadata: METADATA })
const create = (gw: TestGateway, body: unknown, key: string) =>
  gw.signed({ method: 'POST', path: '/v1/payments', body: JSON.stringify(body), idempotencyKey: key })

interface Line { table: string, id: string, value?: Record<string, unknown> }
async function journalLines (dir: string): Promise<Line[]> {
  const files = (await readdir(dir)).filter((f) => /^journal-\d+\.jsonl$/.test(f))
  const text = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('')
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line)
}

/** A copy of the data dir as a crash leaves it: the gateway that wrote it is never closed. */
async function crashCopy (dir: string): Promise<string> {
  const copy = await tempDir()
  await cp(dir, copy, { recursive: true })
  return copy
}

async function open (t: Test, dir: string): Promise<{ gw: TestGateway, store: JournalStore }> {
  const store = new JournalStore(dir)
  return { gw: await build(t, { store }), store }
}

t.test('an engine answer is kept as JSON and replays byte for byte after a crash and from a snapshot', async (t) => {
  const dir = await tempDir()
  const { gw } = await open(t, dir)
  const body = wallet()
  const first = await create(gw, body, 'stored-1')
  t.equal(first.statusCode, 201)

  const kept = (await journalLines(dir)).filter((l) => l.table === 'idempotency')
  t.equal(kept.length, 1)
  t.same(kept[0]?.value?.answer, first.json(), 'the journal line holds the answer as JSON')
  t.equal(kept[0]?.value?.body, undefined, 'and no string of it')
  const journal = (await readdir(dir)).find((f) => f.startsWith('journal-')) as string
  t.ok((await readFile(join(dir, journal), 'utf8')).includes(`"answer":${first.body}`), 'the answer bytes themselves, unescaped')
  const payments = (await journalLines(dir)).filter((l) => l.table === 'payments')
  t.same(payments[0]?.value, first.json(), 'the payment row is the answer\'s JSON')

  const crashed = await crashCopy(dir)
  const { gw: second, store } = await open(t, crashed)
  const replay = await create(second, body, 'stored-1')
  t.equal(replay.statusCode, 201)
  t.equal(replay.headers['paylab-idempotent-replayed'], 'true')
  t.equal(replay.body, first.body, 'after a crash: the same bytes')

  // The snapshot alone: the compaction folds every journal that held the key into it.
  await store.compact()
  const snapshotted = await crashCopy(crashed)
  const snapshot = JSON.parse(await readFile(join(snapshotted, 'paylab.json'), 'utf8'))
  t.equal(snapshot.format, 3)
  const row = snapshot.tables.idempotency.find((r: { id: string }) => r.id.endsWith('stored-1'))
  t.same(row?.answer, first.json(), 'the snapshot holds the answer as JSON')
  t.equal(row?.body, undefined)
  t.same((await journalLines(snapshotted)).filter((l) => l.table === 'idempotency'), [], 'no journal holds the key any more')
  const { gw: third } = await open(t, snapshotted)
  const fromSnapshot = await create(third, body, 'stored-1')
  t.equal(fromSnapshot.headers['paylab-idempotent-replayed'], 'true')
  t.equal(fromSnapshot.body, first.body, 'from the snapshot: the same bytes')
  const other = await create(third, { ...body, amount: 2000 }, 'stored-1')
  t.equal(other.statusCode, 409, 'the kept fingerprint still tells another request apart')
})

t.test('an answer whose bytes are not JSON.stringify\'s is kept as a string, and replayed as it was', async (t) => {
  const dir = await tempDir()
  const { gw, store } = await open(t, dir)
  const text = '{"amount": 100.00, "x":"\\u0041"}'
  const request = { merchantId: 'demo', idempotencyKey: 'as-text', method: 'POST', path: '/v3/anything', body: Buffer.from('{}'), requestId: 'req_1' }
  const first = await gw.engine.idempotent(request, () => ({ status: 200, body: text }))
  t.equal(first.body, text)
  const kept = (await journalLines(dir)).find((l) => l.table === 'idempotency')
  t.equal(kept?.value?.body, text, 'the journal keeps the string')
  t.equal(kept?.value?.answer, undefined)

  const crashed = await crashCopy(dir)
  const { gw: second } = await open(t, crashed)
  const replay = await second.engine.idempotent(request, () => ({ status: 500, body: 'not run' }))
  t.same({ replayed: replay.replayed, body: replay.body }, { replayed: true, body: text }, 'after a crash')

  await store.compact()
  const snapshot = JSON.parse(await readFile(join(dir, 'paylab.json'), 'utf8'))
  t.equal(snapshot.tables.idempotency.find((r: { id: string }) => r.id.endsWith('as-text'))?.body, text, 'the snapshot keeps the string')
  const { gw: third } = await open(t, await crashCopy(dir))
  const fromSnapshot = await third.engine.idempotent(request, () => ({ status: 500, body: 'not run' }))
  t.equal(fromSnapshot.body, text, 'from the snapshot')
})

t.test('a data dir of format 2, answers kept as strings in the snapshot and the journal, reads as before', async (t) => {
  const dir = await tempDir()
  const { gw, store } = await open(t, dir)
  const inSnapshot = wallet()
  const inJournal = wallet()
  const a = await create(gw, inSnapshot, 'old-a')
  await store.compact()
  const b = await create(gw, inJournal, 'old-b')
  const old = await crashCopy(dir)

  // Rewritten as the previous version wrote them: format 2, each answer a string in `body`.
  const asString = (r: Record<string, unknown>): Record<string, unknown> =>
    r.answer === undefined ? r : { id: r.id, fingerprint: r.fingerprint, status: r.status, body: JSON.stringify(r.answer), created_at: r.created_at }
  const file = join(old, 'paylab.json')
  const snapshot = JSON.parse(await readFile(file, 'utf8'))
  snapshot.format = 2
  snapshot.tables.idempotency = snapshot.tables.idempotency.map(asString)
  await writeFile(file, JSON.stringify(snapshot))
  for (const f of (await readdir(old)).filter((n) => n.startsWith('journal-'))) {
    const lines = (await readFile(join(old, f), 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line)
    const rewritten = lines.map((l) => l.table === 'idempotency' && l.value !== undefined ? { ...l, value: asString(l.value) } : l)
    await writeFile(join(old, f), rewritten.map((l) => `${JSON.stringify(l)}\n`).join(''))
  }
  t.ok((await readFile(file, 'utf8')).includes('"body":"{\\"id\\":'), 'the snapshot holds strings')

  const { gw: upgraded, store: reopened } = await open(t, old)
  for (const [body, key, answer] of [[inSnapshot, 'old-a', a], [inJournal, 'old-b', b]] as const) {
    const replay = await create(upgraded, body, key)
    t.equal(replay.headers['paylab-idempotent-replayed'], 'true', key)
    t.equal(replay.body, answer.body, `${key}: the same bytes`)
  }
  const fingerprint = createHash('sha256').update(`POST\n/v1/payments\n${JSON.stringify(inJournal)}`).digest('base64url')
  // Its next snapshot is format 3, keeps the fingerprint read from the old string form, and reads
  // back to the same answers.
  await reopened.compact()
  const compacted = JSON.parse(await readFile(file, 'utf8'))
  t.equal(compacted.tables.idempotency.find((r: { id: string }) => r.id === 'demo\u0000old-b')?.fingerprint, fingerprint)
  t.equal(compacted.format, 3)
  const { gw: again } = await open(t, await crashCopy(old))
  t.equal((await create(again, inSnapshot, 'old-a')).body, a.body)
  t.equal((await create(again, inJournal, 'old-b')).body, b.body)
})
