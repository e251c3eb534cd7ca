// The journal store on a disk that fills up, writes short, or fails an fsync: a write that fails
// is never acknowledged and never comes back after a restart, the journal never holds a torn line
// that later lines are glued to, and the store writes again by itself once there is space.
import t from 'tap'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { JournalStore, StorageFailure } from '../../gateway/store/journal-store.js'
import type { Change, Snapshot } from '../../gateway/engine/db.js'
import { faultyFiles } from '../helpers/faulty-files.js'
import { storeDirs } from '../helpers/store-dirs.js'

const { tempDir, leaveOpen } = storeDirs(t, 'paylab-full-')

const put = (id: string): Change => ({ table: 'payments', id, value: { id, note: 'x'.repeat(40) } })
/** A failure refuses appends until the next turn of the event loop (the engine undoes meanwhile). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
const ids = (snapshot: Snapshot): string[] => (snapshot.payments ?? []).map((p) => p.id).sort()

/** Opens the folder as a restarted process would (real files), without closing anything. */
async function reopen (dir: string, warnings: string[] = []): Promise<Snapshot> {
  const store = new JournalStore(dir, { warn: (m) => warnings.push(m) })
  leaveOpen(store)
  return await store.open(() => ({}))
}

async function journalLines (dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.startsWith('journal-'))
  const text = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('')
  t.ok(text === '' || text.endsWith('\n'), 'the journal ends with a whole line')
  return text.split('\n').filter((l) => l !== '')
}

t.test('a write that runs out of space is refused, cut off, and the store writes again once there is space', async (t) => {
  const dir = await tempDir()
  const files = faultyFiles()
  const store = new JournalStore(dir, { files })
  leaveOpen(store)
  await store.open(() => ({}))
  await store.append([put('a')])
  // Room for half a line: the write takes what fits, then fails.
  files.space = 30
  await t.rejects(store.append([put('b'), put('c')]), { name: 'StorageFailure', code: 'ENOSPC', fatal: false })
  t.ok(files.stats.written > 0, 'part of the failed write reached the file')
  t.same((await journalLines(dir)).map((l) => (JSON.parse(l) as Change).id), ['a'], 'and was cut off again')
  await nextTurn()
  await t.rejects(store.append([put('d')]), { code: 'ENOSPC' }, 'still full: refused again')
  t.equal(files.stats.refused, 2, 'after a write that found no room at all')

  files.space = Infinity
  await nextTurn()
  await store.append([put('e')])
  t.same((await journalLines(dir)).map((l) => (JSON.parse(l) as Change).id), ['a', 'e'], 'the next write follows the last whole line')
  t.same(ids(await reopen(dir)), ['a', 'e'], 'a restart finds every acknowledged write and none of the refused ones')
})

t.test('short writes and a disk that fills in the middle of a group commit', async (t) => {
  const dir = await tempDir()
  const files = faultyFiles({ maxWrite: 7 })
  const store = new JournalStore(dir, { files })
  leaveOpen(store)
  await store.open(() => ({}))
  const acked: string[] = []
  const refused: string[] = []
  const send = (id: string) => store.append([put(id)]).then(() => acked.push(id), (err: unknown) => {
    t.ok(err instanceof StorageFailure, 'a refusal is a StorageFailure')
    refused.push(id)
  })
  await Promise.all(Array.from({ length: 20 }, (_, i) => send(`p${i}`)))
  // The disk fills while the next group is written, a few bytes at a time.
  files.space = 200
  await Promise.all(Array.from({ length: 20 }, (_, i) => send(`q${i}`)))
  t.ok(refused.length > 0, `${refused.length} writes were refused`)
  files.space = Infinity
  await nextTurn()
  await Promise.all(Array.from({ length: 5 }, (_, i) => send(`r${i}`)))
  t.equal(acked.length + refused.length, 45)
  t.ok(acked.includes('r4'), 'writes go on once there is space')
  t.same(ids(await reopen(dir)), [...acked].sort(), 'after a restart: exactly the acknowledged writes')
})

t.test('a failed fsync stops the store for good, and says so once', async (t) => {
  const dir = await tempDir()
  const files = faultyFiles()
  const fatal: StorageFailure[] = []
  const store = new JournalStore(dir, { files, onFatal: (err) => fatal.push(err) })
  leaveOpen(store)
  await store.open(() => ({}))
  await store.append([put('a')])
  files.failSync = true
  await t.rejects(store.append([put('b')]), { name: 'StorageFailure', fatal: true })
  files.failSync = false
  await t.rejects(store.append([put('c')]), { name: 'StorageFailure', fatal: true }, 'no write is taken after it, even with a healthy disk')
  t.equal(fatal.length, 1, 'reported once')
  t.match(fatal[0]?.message, /fsync of .*journal-\d+\.jsonl failed \(EIO\)/)
})

t.test('on open: a torn last line is dropped with a warning; a torn line with whole lines after it is an error', async (t) => {
  const whole = (id: string): string => `${JSON.stringify(put(id))}\n`
  const torn = '{"table":"payments","id":"to'

  const last = await tempDir()
  await writeFile(join(last, 'journal-1.jsonl'), whole('a') + whole('b') + torn)
  const warnings: string[] = []
  t.same(ids(await reopen(last, warnings)), ['a', 'b'])
  t.equal(warnings.length, 1)
  t.match(warnings[0], `journal-1.jsonl: dropped a torn last line at byte ${Buffer.byteLength(whole('a') + whole('b'))}`)

  // What the store used to leave on a full disk: a torn line, the next write glued to it, and more.
  const middle = await tempDir()
  const offset = Buffer.byteLength(whole('a'))
  await writeFile(join(middle, 'journal-1.jsonl'), whole('a') + torn + whole('b') + whole('c'))
  const store = new JournalStore(middle)
  await t.rejects(store.open(() => ({})), { message: new RegExp(`journal-1\\.jsonl: the line at byte ${offset} is damaged and whole lines follow it`) })
})

t.test('a compaction whose snapshot holds a change that then fails is dropped', async (t) => {
  const dir = await tempDir()
  // Only the journals run out of space: the snapshot itself can be written.
  const files = faultyFiles({ faultsOn: (path) => /journal-\d+\.jsonl$/.test(path) })
  // The engine's table, changed before the store has the change, as Db does (and undone on failure).
  const table = new Map<string, unknown>()
  const change = (id: string): Change => { const c = put(id); table.set(id, (c as { value: unknown }).value); return c }
  const state = (): Snapshot => ({ payments: [...table.values()] } as unknown as Snapshot)
  const store = new JournalStore(dir, { files })
  leaveOpen(store)
  await store.open(state)
  const a = change('a')
  files.space = Buffer.byteLength(`${JSON.stringify(a)}\n`)
  const first = store.append([a])
  const compaction = store.compact() // switches journals once a's write is done
  // Two turns: the write of a has taken its batch and is under way; b queues behind it, before the switch.
  await nextTurn()
  await nextTurn()
  const failing = store.append([change('b')])
  await first
  await t.rejects(failing, { code: 'ENOSPC' }, 'b finds no room in the new journal')
  table.delete('b')
  await t.rejects(compaction, { message: /snapshot is dropped/ })
  t.same(ids(await reopen(dir)), ['a'], 'the refused change does not come back through the snapshot')
  t.notOk((await readdir(dir)).some((f) => f.endsWith('.tmp')), 'the dropped snapshot left no temp file')
})
