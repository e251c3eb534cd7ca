// When JournalStore compacts: after compactEvery journal lines, or, for a state with more
// records than that, after as many lines as it has records (so that rewriting the whole state
// costs the same per change however large the state is).
import t from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JournalStore } from '../../gateway/store/journal-store.js'
import type { Change, Snapshot } from '../../gateway/engine/db.js'

/** A store over an in-memory table, as the engine keeps one: the snapshot is the table. */
async function openStore (dir: string, compactEvery: number) {
  const rows = new Map<string, { id: string }>()
  const store = new JournalStore(dir, { compactEvery })
  const loaded = await store.open(() => ({ payments: [...rows.values()] } as Snapshot))
  for (const row of loaded.payments ?? []) rows.set(row.id, row)
  let next = rows.size
  /** Appends `count` new records, one change (one journal line) per append, in order. */
  const add = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const id = `p${next++}`
      rows.set(id, { id })
      const change: Change = { table: 'payments', id, value: { id } }
      await store.append([change])
    }
  }
  return { store, rows, add }
}

/** The journal number paylab.json points at: it grows by one at each compaction. */
const snapshotJournal = async (dir: string): Promise<number> =>
  (JSON.parse(await readFile(join(dir, 'paylab.json'), 'utf8')) as { journal: number }).journal

t.test('a store smaller than compactEvery compacts after compactEvery lines', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-compaction-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const { store, add } = await openStore(dir, 10)
  await add(9)
  await t.rejects(readFile(join(dir, 'paylab.json')), 'no snapshot after 9 lines')
  // The write that crossed the threshold starts a compaction, which runs beside later writes.
  await add(2)
  await store.compacted()
  const journal = await snapshotJournal(dir)
  const reopened = new JournalStore(dir)
  const state = await reopened.open(() => ({}))
  t.equal(state.payments?.length, 11, 'nothing is lost')
  t.ok(journal > 1, `the snapshot points at a later journal (${journal})`)
  await reopened.close()
  await store.close()
})

t.test('a store with more records than compactEvery waits for as many lines as it has records', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-compaction-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const seeding = await openStore(dir, 10)
  await seeding.add(40)
  await seeding.store.close() // writes a snapshot of the 40 records

  const { store, rows, add } = await openStore(dir, 10)
  t.equal(rows.size, 40)
  const opened = await snapshotJournal(dir)
  await add(31)
  await store.compacted() // a compaction the writes started, if any
  t.equal(await snapshotJournal(dir), opened, '31 lines do not compact a snapshot of 40 records')
  await add(10)
  await store.compacted()
  const compacted = await snapshotJournal(dir)
  t.ok(compacted > opened, `41 lines do (journal ${opened} → ${compacted})`)
  const snapshot = JSON.parse(await readFile(join(dir, 'paylab.json'), 'utf8')) as { tables: Snapshot }
  t.ok((snapshot.tables.payments?.length ?? 0) >= 80, 'the new snapshot holds the 40 stored and the 40 added records')

  // The next compaction waits for as many lines as the new snapshot holds.
  await add(51)
  await store.compacted()
  t.equal(await snapshotJournal(dir), compacted, '51 lines do not compact a snapshot of 80 or more records')
  await store.close()
})

t.test('writes go on while a compaction of 50,000 records is written', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-compaction-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const { store, rows, add } = await openStore(dir, 1_000_000)
  const description = 'a record of about the size of a payment '.repeat(10)
  for (let i = 0; i < 50_000; i++) rows.set(`s${i}`, { id: `s${i}`, description } as { id: string })
  let finished = false
  const compaction = store.compact().then(() => { finished = true })
  // Each write is answered once it is durable, in the new journal, while the snapshot is still
  // being written: a compaction that held the event loop or the journal would answer them after.
  const answeredDuring: boolean[] = []
  for (let i = 0; i < 3; i++) {
    await add(1)
    answeredDuring.push(!finished)
  }
  await compaction
  t.same(answeredDuring, [true, true, true], 'three writes in a row were answered before the compaction finished')

  const snapshot = JSON.parse(await readFile(join(dir, 'paylab.json'), 'utf8')) as { tables: Snapshot }
  // The first write was made before the switch to the new journal (compact() only queues it).
  t.equal(snapshot.tables.payments?.length, 50_001, 'the snapshot holds the state at the switch, not the writes after it')
  const reopened = new JournalStore(dir)
  const state = await reopened.open(() => ({}))
  t.equal(state.payments?.length, 50_003, 'the writes made during the compaction are in the new journal')
  t.equal((state.payments?.find((p) => p.id === 's49999') as unknown as { description: string }).description, description)
  await store.close()
})
