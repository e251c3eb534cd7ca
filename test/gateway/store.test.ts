import t, { type Test } from 'tap'
import { open, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build, orderId, PAYLAB_ONLY } from '../helpers/build.js'
import { JournalStore } from '../../gateway/store/journal-store.js'
import type { Change, Snapshot } from '../../gateway/engine/db.js'
import { storeDirs } from '../helpers/store-dirs.js'

const { tempDir, leaveOpen } = storeDirs(t, 'paylab-store-')

const put = (id: string, extra: Record<string, unknown> = {}): Change => ({ table: 'payments', id, value: { id, ...extra } })
const ids = (snapshot: Snapshot): string[] => (snapshot.payments ?? []).map((p) => p.id).sort()

async function journalText (dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((f) => /^journal-\d+\.jsonl$/.test(f))
  return (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('')
}

/** Opens a store on `dir` as a restarted process would, without closing any earlier one. */
async function reopen (dir: string): Promise<Snapshot> {
  const store = new JournalStore(dir)
  leaveOpen(store)
  return await store.open(() => ({}))
}

t.test('payments survive a close and a restart of the gateway', async (t) => {
  const dataDir = await tempDir()
  const first = await build(t, { ...PAYLAB_ONLY, memory: false, dataDir })
  const created = (await first.signed({ method: 'POST', path: '/v1/payments', body: first.cardPayment('4242424242424242') })).json()
  await first.app.close()

  const second = await build(t, { ...PAYLAB_ONLY, memory: false, dataDir })
  const res = await second.signed({ method: 'GET', path: `/v1/payments/${created.id as string}` })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), created)
})

t.test('acknowledged writes survive a crash (no close)', async (t) => {
  const dir = await tempDir()
  const store = new JournalStore(dir)
  leaveOpen(store)
  await store.open(() => ({}))
  await store.append([put('a')])
  await store.append([put('b'), put('c')])
  await store.append([{ table: 'payments', id: 'b', deleted: true }])
  t.same(ids(await reopen(dir)), ['a', 'c'])

  const dataDir = await tempDir()
  const gw = await build(t, { ...PAYLAB_ONLY, memory: false, dataDir })
  const created = (await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') })).json()
  const restarted = await build(t, { ...PAYLAB_ONLY, memory: false, dataDir })
  t.equal(restarted.engine.getPayment('demo', created.id).status, 'succeeded')
})

t.test('a torn last journal line is ignored, and writes after it are kept', async (t) => {
  const dir = await tempDir()
  await writeFile(join(dir, 'journal-0.jsonl'), `${JSON.stringify(put('a'))}\n{"table":"payments","id":"to`)
  const store = new JournalStore(dir)
  leaveOpen(store)
  t.same(ids(await store.open(() => ({}))), ['a'])
  await store.append([put('b')])
  await store.append([put('c')])
  // A second crash: the torn tail must not swallow what was acknowledged since.
  t.same(ids(await reopen(dir)), ['a', 'b', 'c'])
  // A clean close afterwards folds every journal, the torn one too, into the snapshot.
  const last = new JournalStore(dir)
  let state: Snapshot = {}
  state = await last.open(() => state)
  await last.close()
  const files = await readdir(dir)
  t.same(files.filter((f) => f.startsWith('journal-')).length, 1, files.join(', '))
  t.same(ids(await reopen(dir)), ['a', 'b', 'c'])
})

t.test('compaction writes paylab.json, starts a new journal and loses nothing', async (t) => {
  const dataDir = await tempDir()
  const store = new JournalStore(dataDir, { compactEvery: 10 })
  const gw = await build(t, { ...PAYLAB_ONLY, store })
  const created: string[] = []
  for (let i = 0; i < 15; i++) {
    const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') })
    created.push(res.json().id)
  }
  // Compaction runs after the write that crossed the threshold; wait for its snapshot. Another
  // compaction may be half done when the folder is read: read again until it is settled.
  let snapshot: { journal: number, tables: Snapshot } | undefined
  let journals: string[] = []
  for (let i = 0; i < 100; i++) {
    snapshot = await readFile(join(dataDir, 'paylab.json'), 'utf8').then((s) => JSON.parse(s), () => undefined)
    journals = (await readdir(dataDir)).filter((f) => f.startsWith('journal-'))
    const settled = snapshot !== undefined && journals.includes(`journal-${snapshot.journal}.jsonl`) &&
      journals.every((f) => Number(/\d+/.exec(f)?.[0]) >= (snapshot?.journal ?? 0))
    if (settled) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  t.ok(snapshot !== undefined, 'paylab.json was written')
  t.ok((snapshot?.tables.payments ?? []).length > 0, 'the snapshot holds payments')
  t.ok(journals.includes(`journal-${snapshot?.journal ?? -1}.jsonl`), 'the journal the snapshot points at exists')
  t.ok(journals.every((f) => Number(/\d+/.exec(f)?.[0]) >= (snapshot?.journal ?? 0)), `older journals are gone: ${journals.join(', ')}`)

  created.push((await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') })).json().id)
  const afterCrash = ids(await reopen(dataDir))
  for (const id of created) t.ok(afterCrash.includes(id), `${id} is there after a crash`)
  await gw.app.close()
  const afterClose = ids(await reopen(dataDir))
  t.same(afterClose, afterCrash, 'and after a clean close')
})

t.test('a payment is in the journal on disk before its answer arrives', async (t) => {
  const dataDir = await tempDir()
  const gw = await build(t, { ...PAYLAB_ONLY, memory: false, dataDir })
  const body = gw.cardPayment('4242424242424242', { merchant_order_id: orderId() })
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', body })
  t.equal(res.statusCode, 201)
  const text = await journalText(dataDir)
  t.match(text, res.json().id)
  t.match(text, body.merchant_order_id)
})

/** Counts FileHandle.datasync calls until the test ends (the class is not exported; its prototype is). */
async function countSyncs (t: Test, dir: string): Promise<{ readonly count: number }> {
  const probe = await open(join(dir, 'probe'), 'w')
  const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> }
  await probe.close()
  const original = proto.datasync
  const counter = { count: 0 }
  proto.datasync = function (this: unknown) { counter.count++; return original.call(this) }
  t.teardown(() => { proto.datasync = original })
  return counter
}

t.test('concurrent appends share fsyncs and all reach the disk', async (t) => {
  const dir = await tempDir()
  const store = new JournalStore(dir)
  await store.open(() => ({}))
  t.teardown(() => store.close())
  const syncs = await countSyncs(t, dir)
  const count = 200
  await Promise.all(Array.from({ length: count }, (_, i) => store.append([put(`p${i}`)])))
  t.ok(syncs.count >= 1 && syncs.count <= 5, `${count} appends took ${syncs.count} fsyncs`)
  t.equal(ids(await reopen(dir)).length, count)
})

t.test('concurrent payment requests share fsyncs and each is on disk', async (t) => {
  const dataDir = await tempDir()
  const gw = await build(t, { ...PAYLAB_ONLY, memory: false, dataDir })
  const syncs = await countSyncs(t, dataDir)
  const count = 40
  const answers = await Promise.all(Array.from({ length: count }, () =>
    gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') })))
  t.same(answers.map((a) => a.statusCode), answers.map(() => 201))
  t.ok(syncs.count < count / 2, `${count} requests took ${syncs.count} fsyncs`)
  const stored = ids(await reopen(dataDir))
  t.ok(answers.every((a) => stored.includes(a.json().id)), 'every answered payment is stored')
})

t.test('idempotency records, gateway keys, admin token and secrets survive a restart', async (t) => {
  const dataDir = await tempDir()
  const first = await build(t, { ...PAYLAB_ONLY, memory: false, dataDir })
  const body = first.cardPayment('4242424242424242')
  const created = await first.signed({ method: 'POST', path: '/v1/payments', body, idempotencyKey: 'restart-key' })
  t.equal(created.statusCode, 201)
  await first.engine.rotateKey()
  const keysBefore = first.engine.keys()
  const tokenBefore = first.engine.adminToken
  const demoBefore = first.demo
  await first.app.close()

  const second = await build(t, { ...PAYLAB_ONLY, memory: false, dataDir })
  t.same(second.engine.keys(), keysBefore, 'the same key ids and statuses')
  t.equal(second.engine.adminToken, tokenBefore)
  t.same(second.demo, demoBefore, 'the demo merchant keeps its secret')
  const replay = await second.signed({ method: 'POST', path: '/v1/payments', body, idempotencyKey: 'restart-key' })
  t.equal(replay.statusCode, 201)
  t.equal(replay.headers['paylab-idempotent-replayed'], 'true')
  t.equal(replay.body, created.body)
  const conflict = await second.signed({ method: 'POST', path: '/v1/payments', body: { ...body, amount: 1 }, idempotencyKey: 'restart-key' })
  t.equal(conflict.statusCode, 409, conflict.body)
  t.equal(conflict.json().error.code, 'PAYLAB_IDEMPOTENCY_CONFLICT')
  const list = await second.admin({ method: 'GET', url: '/admin/merchants' })
  t.equal(list.statusCode, 200, 'the admin token still opens the admin API')
})
