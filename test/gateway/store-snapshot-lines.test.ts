// The snapshot file, one record per line and JSON all the same: written by SnapshotFile, read a
// line at a time whatever the size of the pieces the file comes in; a snapshot of the previous
// layout (one line) reads as before; a cut-off one is refused rather than read short.
import t from 'tap'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SnapshotFile } from '../../gateway/store/snapshot-file.js'
import { readSnapshot } from '../../gateway/store/snapshot-lines.js'

const state = {
  format: 2,
  journal: 3,
  tables: {
    payments: [
      { id: 'p1', description: 'line\nbreak, "quotes", ],\n}} and ünïcode ✓ \u2028', metadata: { '10': 'x', note: '\\' } },
      { id: 'p2', description: null, metadata: {} }
    ],
    empty: [],
    'odd "name"': [{ id: 'e1' }]
  }
}

/** The bytes of `text` in pieces of `size` bytes (cutting UTF-8 sequences and lines anywhere). */
function * pieces (text: string, size: number): Iterable<Buffer> {
  const bytes = Buffer.from(text, 'utf8')
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size)
}

t.test('written a record per line, it is JSON, and reads back the same in pieces of any size', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-snapshot-lines-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'paylab.json')
  await new SnapshotFile(path, { chunk: 7 }).write(state)
  const text = await readFile(path, 'utf8')
  t.same(JSON.parse(text), state, 'the file is plain JSON')
  t.equal(text.split('\n').length, 12, 'a line for the head, each table\'s start and end, each record, the end (and the last break)')
  t.same(await new SnapshotFile(path).read(), state, 'read through the store\'s files')
  for (const size of [1, 2, 3, 5, 64, 1 << 20]) t.same(await readSnapshot(pieces(text, size), path), state, `in pieces of ${size} bytes`)
  const rows: Array<[string, unknown]> = []
  const read = await readSnapshot(pieces(text, 4), path, (table, row) => rows.push([table, row])) as typeof state
  t.same(rows, [['payments', state.tables.payments[0]], ['payments', state.tables.payments[1]], ['odd "name"', { id: 'e1' }]], 'onRow gets each record, in order')
  t.same(read.tables.payments, [], 'and the arrays do not keep them')
})

t.test('a snapshot of the previous layout (one line) reads as it did', async (t) => {
  const old = JSON.stringify({ ...state, format: 1 })
  t.same(await readSnapshot(pieces(old, 3), 'old.json'), { ...state, format: 1 })
  const rows: unknown[] = []
  await readSnapshot(pieces(old, 1 << 20), 'old.json', (_table, row) => rows.push(row))
  t.equal(rows.length, 3, 'its records go to onRow too')
})

t.test('a snapshot cut short, or with something after its end, is refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-snapshot-lines-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'paylab.json')
  await new SnapshotFile(path).write(state)
  const text = await readFile(path, 'utf8')
  const lines = text.split('\n')
  await t.rejects(readSnapshot(pieces(lines.slice(0, 5).join('\n') + '\n', 16), path), /ends before the end of the snapshot/)
  await t.rejects(readSnapshot(pieces(`${text}{"id":"p3"}\n`, 16), path), /text after the end/)
  await writeFile(path, '')
  await t.rejects(new SnapshotFile(path).read(), /is empty/)
  t.equal(await new SnapshotFile(join(dir, 'none.json')).read(), null, 'no file: no snapshot yet')
})
