// A write may take fewer bytes than it is given (a full disk, a signal); the store writes the
// rest before it acknowledges, in the journal and in a snapshot alike.
import t from 'tap'
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JournalStore } from '../../gateway/store/journal-store.js'
import type { Change, Snapshot } from '../../gateway/engine/db.js'

t.test('short writes are continued, not acknowledged half done', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-writes-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  // Every write the store makes takes at most 7 bytes, as a disk might under pressure.
  const probe = await open(join(dir, 'probe'), 'w')
  const proto = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<{ bytesWritten: number }> }
  await probe.close()
  await rm(join(dir, 'probe'))
  const original = proto.write
  let calls = 0
  proto.write = function (this: unknown, ...args: unknown[]) {
    calls++
    const [data, offset, length] = args as [Buffer | string, number | undefined, number | undefined]
    const buffer = typeof data === 'string' ? Buffer.from(data) : data
    const from = typeof data === 'string' ? 0 : offset ?? 0
    return original.call(this, buffer, from, Math.min(7, (typeof data === 'string' ? undefined : length) ?? buffer.length - from))
  }
  t.teardown(() => { proto.write = original })

  const rows = new Map<string, { id: string, note: string }>()
  const store = new JournalStore(join(dir, 'data'), { snapshot: { chunk: 64 } })
  await store.open(() => ({ payments: [...rows.values()] } as unknown as Snapshot))
  const changes: Change[] = ['a', 'b', 'c'].map((id) => ({ table: 'payments', id, value: { id, note: `the record ${id}, longer than one write` } }))
  for (const c of changes) rows.set(c.id, (c as { value: { id: string, note: string } }).value)
  await store.append(changes)
  const journals = (await readdir(join(dir, 'data'))).filter((f) => f.startsWith('journal-'))
  const lines = (await Promise.all(journals.map((f) => readFile(join(dir, 'data', f), 'utf8')))).join('').split('\n').filter((l) => l !== '')
  t.same(lines.map((l) => JSON.parse(l) as Change), changes, 'the journal holds every line whole')

  await store.compact()
  proto.write = original
  const snapshot = JSON.parse(await readFile(join(dir, 'data', 'paylab.json'), 'utf8')) as { tables: Snapshot }
  t.same(snapshot.tables.payments, [...rows.values()], 'the snapshot is whole')
  t.ok(calls > 20, `the bytes went in ${calls} writes`)
  await store.close()
})
