// A crash at any point of a compaction reopens to every acknowledged write, and to nothing that
// was undone: the folder is copied as it stands before every file operation of the store (each
// journal write, each piece of the snapshot, each fsync and close), while writes go on beside the
// compaction, and every copy is opened as a restarted process would open it.
import t from 'tap'
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import { readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JournalStore } from '../../gateway/store/journal-store.js'
import type { Change, Snapshot } from '../../gateway/engine/db.js'

type Row = { id: string, v: number }
type Files = Map<string, Buffer>

const dirs: string[] = []
t.teardown(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))
async function tempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-crash-'))
  dirs.push(dir)
  return dir
}

/**
 * The folder as it stands. A file the store removes (an old journal, after a compaction) while the
 * copy is being read is left out: the copy is then the folder just after that removal, itself a
 * point a crash can come at.
 */
function copyFolder (dir: string): Files {
  const files: Files = new Map()
  for (const f of readdirSync(dir)) {
    try {
      files.set(f, readFileSync(join(dir, f)))
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') throw err
    }
  }
  return files
}

/** Opens the files of a crashed folder in a new folder; returns the rows and what is left there. */
async function reopen (files: Files): Promise<{ rows: Map<string, Row>, left: string[] }> {
  const dir = await tempDir()
  for (const [name, data] of files) await writeFile(join(dir, name), data)
  const store = new JournalStore(dir)
  const loaded = await store.open(() => ({}))
  const left = readdirSync(dir)
  const rows = new Map(((loaded.payments ?? []) as unknown as Row[]).map((r) => [r.id, r]))
  await store.close()
  return { rows, left }
}

function apply (rows: Map<string, Row>, changes: Change[]): Map<string, Row> {
  const next = new Map(rows)
  for (const c of changes) {
    if ('deleted' in c) next.delete(c.id)
    else next.set(c.id, c.value as Row)
  }
  return next
}

const same = (a: Map<string, Row>, b: Map<string, Row>): boolean =>
  a.size === b.size && [...a].every(([id, row]) => b.get(id)?.v === row.v)

t.test('a crash at any point of a compaction reopens to every acknowledged write', async (t) => {
  const dir = await tempDir()
  // The engine's table: changed when a change is made, before it is durable, as Db does.
  let table = new Map<string, Row>()
  const state = (): Snapshot => ({ payments: [...table.values()] } as unknown as Snapshot)
  const seed = new JournalStore(dir)
  await seed.open(state)
  const first: Change[] = Array.from({ length: 2000 }, (_, i) => ({ table: 'payments', id: `p${i}`, value: { id: `p${i}`, v: 0 } }))
  table = apply(table, first)
  await seed.append(first)
  await seed.close()

  // Snapshot pieces of 2 KiB: the compaction takes many writes, so it has many points to crash at.
  const store = new JournalStore(dir, { snapshot: { chunk: 2048 } })
  await store.open(state)
  let acked = table
  let inFlight: Change[] | undefined
  const crashes: Array<{ files: Files, acked: Map<string, Row>, inFlight: Change[] | undefined }> = []

  const probe = await open(join(dir, 'probe'), 'w')
  const proto = Object.getPrototypeOf(probe) as Record<'write' | 'sync' | 'datasync' | 'close', (...args: unknown[]) => Promise<unknown>>
  await probe.close()
  await rm(join(dir, 'probe'))
  const originals = { write: proto.write, sync: proto.sync, datasync: proto.datasync, close: proto.close }
  for (const name of ['write', 'sync', 'datasync', 'close'] as const) {
    proto[name] = function (this: unknown, ...args: unknown[]) {
      crashes.push({ files: copyFolder(dir), acked, inFlight })
      return originals[name].apply(this, args)
    }
  }
  t.teardown(() => Object.assign(proto, originals))

  let n = 0
  /** One change after another, each awaited: at any moment at most one is not yet acknowledged. */
  async function change (): Promise<void> {
    const i = n++
    const changes: Change[] = i % 3 === 0
      ? [{ table: 'payments', id: `p${i}`, deleted: true }]
      : [{ table: 'payments', id: `p${i}`, value: { id: `p${i}`, v: 1 } }, { table: 'payments', id: `q${i}`, value: { id: `q${i}`, v: 1 } }]
    table = apply(table, changes)
    inFlight = changes
    await store.append(changes)
    acked = apply(acked, changes)
    inFlight = undefined
  }
  await change()
  let compacting = true
  const compaction = store.compact().then(() => { compacting = false })
  while (compacting) await change()
  for (let i = 0; i < 3; i++) await change()
  await compaction
  Object.assign(proto, originals)
  t.ok(n > 3, `${n} changes were made, ${n - 4} of them during the compaction`)

  const seen = { temp: 0, both: 0, switched: 0 }
  let wrong = 0
  for (const [i, crash] of crashes.entries()) {
    const names = [...crash.files.keys()]
    const pointsAt = (JSON.parse(crash.files.get('paylab.json')?.toString() ?? '{}') as { journal?: number }).journal ?? 0
    const journals = names.filter((f) => f.startsWith('journal-')).map((f) => Number(/\d+/.exec(f)?.[0]))
    if (names.includes('.paylab.json.tmp')) seen.temp++
    else if (journals.some((no) => no < pointsAt)) seen.both++
    else if (pointsAt > 1) seen.switched++
    const { rows, left } = await reopen(crash.files)
    const ok = same(rows, crash.acked) || (crash.inFlight !== undefined && same(rows, apply(crash.acked, crash.inFlight)))
    if (!ok || left.includes('.paylab.json.tmp')) {
      wrong++
      if (wrong <= 3) t.fail(`crash point ${i} (${names.join(', ')}) reopens to ${rows.size} rows, ${crash.acked.size} acknowledged; left ${left.join(', ')}`)
    }
  }
  t.equal(wrong, 0, `every one of ${crashes.length} crash points reopens to the acknowledged writes`)
  // Each step of a compaction was crashed at: the snapshot half written, the new snapshot in place
  // beside the journals it holds, and those journals removed.
  t.ok(seen.temp > 2, `${seen.temp} crash points with the snapshot half written`)
  t.ok(seen.both > 0, `${seen.both} crash points with the new snapshot beside the journals it holds`)
  t.ok(seen.switched > 0, `${seen.switched} crash points after the compaction`)
  await store.close()
})
