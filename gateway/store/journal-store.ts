// The embedded store of a data dir: a lowdb JSON snapshot with an append-only journal in front.
//
// A request appends its changes to the journal (one JSON line each) and is answered once they
// are fsync'ed. Appends that arrive while a write is under way are grouped into the next write,
// so many concurrent requests share one fsync (group commit), and the cost of a request does
// not depend on how much is stored. When the journal grows past a threshold, the state is
// compacted: writes switch to a fresh journal, and the state as it was at the switch is written
// as a new lowdb snapshot beside them, in pieces that leave the event loop free (SnapshotFile).
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { Low } from 'lowdb'
import type { Change, Snapshot, StorePort } from '../engine/db.js'
import type { TableName } from '../engine/types.js'
import { fsyncPath, writeAll } from './files.js'
import { SnapshotFile, type SnapshotFileOptions } from './snapshot-file.js'

/** `journal`: the first journal that follows the snapshot (older ones are already in it). */
interface SnapshotState { format: 1, journal: number, tables: Snapshot }

export interface JournalStoreOptions {
  /**
   * Journal lines after which the state is snapshotted and the journal restarted; a state with
   * more records than that waits for as many lines as it has records (see #drain).
   */
  compactEvery?: number
  snapshot?: SnapshotFileOptions
}

export class JournalStore implements StorePort {
  readonly #dir: string
  readonly #compactEvery: number
  readonly #file: SnapshotFile<SnapshotState>
  readonly #db: Low<SnapshotState>
  #snapshot: () => Snapshot = () => ({})
  #journalNo = 0
  #journal: FileHandle | undefined
  #lines = 0
  /** Records in the snapshot last read or written. */
  #records = 0
  #queue: Array<{ text: string, resolve: () => void, reject: (e: unknown) => void }> = []
  #tail: Promise<void> = Promise.resolve()
  #drainScheduled = false
  /** The compaction under way, if any: one at a time. */
  #compaction: Promise<void> | undefined

  constructor (dir: string, options: JournalStoreOptions = {}) {
    this.#dir = dir
    this.#compactEvery = options.compactEvery ?? 50_000
    this.#file = new SnapshotFile(join(dir, 'paylab.json'), options.snapshot)
    this.#db = new Low(this.#file, empty())
  }

  async open (snapshot: () => Snapshot): Promise<Snapshot> {
    this.#snapshot = snapshot
    await mkdir(this.#dir, { recursive: true })
    await this.#file.removeTemp()
    await this.#db.read()
    const state = this.#db.data
    this.#db.data = empty() // the records live in the engine's tables; no second reference here
    const tables = new Map<TableName, Map<string, unknown>>()
    for (const [name, rows] of Object.entries(state.tables)) {
      tables.set(name as TableName, new Map((rows as Array<{ id: string }>).map((r) => [r.id, r])))
    }
    // Replay every journal the snapshot does not already contain, oldest first. Those it does
    // contain are left over by a crash between a compaction's snapshot and their removal.
    const journals = await this.#journals()
    for (const no of journals) {
      if (no < state.journal) { await rm(this.#journalPath(no), { force: true }); continue }
      for (const change of parseJournal(await readFile(this.#journalPath(no), 'utf8'))) {
        let table = tables.get(change.table)
        if (table === undefined) tables.set(change.table, table = new Map<string, unknown>())
        if ('deleted' in change) table.delete(change.id)
        else table.set(change.id, change.value)
      }
    }
    // Writes go to a fresh journal: appending to the last one would glue the first new line to a
    // torn tail left by a crash, and replay stops at that line, losing every acknowledged write after it.
    this.#journalNo = Math.max(state.journal, ...journals) + 1
    this.#journal = await this.#createJournal(this.#journalNo)
    this.#lines = 0
    this.#records = [...tables.values()].reduce((n, rows) => n + rows.size, 0)
    return Object.fromEntries([...tables].map(([name, rows]) => [name, [...rows.values()]]))
  }

  append (changes: Change[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve()
    const text = changes.map((c) => JSON.stringify(c)).join('\n') + '\n'
    this.#lines += changes.length
    const done = new Promise<void>((resolve, reject) => this.#queue.push({ text, resolve, reject }))
    if (!this.#drainScheduled) {
      this.#drainScheduled = true
      void this.#serial(() => this.#drain())
    }
    return done
  }

  /** Journal writes and journal switches run one at a time, in order. */
  #serial<T> (task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task)
    this.#tail = run.then(() => {}, () => {})
    return run
  }

  async #drain (): Promise<void> {
    // Let the requests of the current turn of the event loop join this write.
    await new Promise<void>((resolve) => setImmediate(resolve))
    this.#drainScheduled = false
    const batch = this.#queue
    this.#queue = []
    try {
      const file = this.#journal
      if (file === undefined) throw new Error('the store is closed')
      await writeAll(file, batch.map((b) => b.text).join(''))
      await file.datasync()
      for (const b of batch) b.resolve()
    } catch (err) {
      for (const b of batch) b.reject(err)
    }
    // A compaction rewrites every record, so it waits for at least as many changes as there are
    // records: its cost per change then stays the same however much is stored (a fixed threshold
    // would rewrite a large store over and over), and a journal to replay stays about as long as
    // its snapshot.
    if (this.#lines >= Math.max(this.#compactEvery, this.#records) && this.#compaction === undefined) {
      void this.compact().catch(() => {})
    }
  }

  /**
   * Writes the current state as the snapshot and starts a new journal; resolves once the snapshot
   * is durable and the journals it contains are removed. Journal writes go on meanwhile.
   */
  compact (): Promise<void> {
    // The switch is queued now, behind the journal writes already queued, unless a compaction is
    // under way: then this one starts when that one ends.
    const run = this.#compaction === undefined ? this.#compact() : this.#compaction.then(() => this.#compact(), () => this.#compact())
    this.#compaction = run
    const clear = (): void => { if (this.#compaction === run) this.#compaction = undefined }
    run.then(clear, clear)
    return run
  }

  /** Resolves when no compaction is under way. */
  async compacted (): Promise<void> {
    while (this.#compaction !== undefined) await this.#compaction.catch(() => {})
  }

  async #compact (): Promise<void> {
    // The switch, between two journal writes: every change written so far is in the tables, so
    // the state taken now holds it; every later write goes to the new journal. Changes that are
    // in both (queued before the switch, written after it) replay as the same puts and deletes.
    // Records are replaced on update, never changed in place, so these arrays keep the state of
    // this moment while the engine goes on.
    const { journal, previous, state } = await this.#serial(async () => {
      const previous = this.#journalNo
      const file = await this.#createJournal(previous + 1)
      await this.#journal?.close()
      this.#journal = file
      this.#journalNo = previous + 1
      this.#lines = 0
      return { journal: previous + 1, previous, state: this.#snapshot() }
    })
    this.#records = Object.values(state).reduce((n, rows) => n + (rows?.length ?? 0), 0)
    this.#db.data = { format: 1, journal, tables: state }
    try {
      await this.#db.write()
    } finally {
      this.#db.data = empty()
    }
    // Every older journal, not only the last: a restart after a crash leaves one behind (see open).
    for (const no of await this.#journals()) if (no <= previous) await rm(this.#journalPath(no), { force: true })
  }

  async close (): Promise<void> {
    await this.compact()
    await this.#serial(async () => {
      await this.#journal?.close()
      this.#journal = undefined
    })
  }

  /** A new, empty journal whose name is durable in the folder before anything in it is acknowledged. */
  async #createJournal (no: number): Promise<FileHandle> {
    const file = await open(this.#journalPath(no), 'a')
    try {
      await fsyncPath(this.#dir)
    } catch (err) {
      await file.close()
      throw err
    }
    return file
  }

  /** Numbers of the journal files in the folder, oldest first. */
  async #journals (): Promise<number[]> {
    return (await readdir(this.#dir))
      .map((f) => /^journal-(\d+)\.jsonl$/.exec(f)).filter((m) => m !== null)
      .map((m) => Number(m[1])).sort((a, b) => a - b)
  }

  #journalPath (no: number): string {
    return join(this.#dir, `journal-${no}.jsonl`)
  }
}

function empty (): SnapshotState {
  return { format: 1, journal: 0, tables: {} }
}

/** Journal lines; a torn last line (a crash mid-write, never acknowledged) is ignored. */
function parseJournal (text: string): Change[] {
  const changes: Change[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    try {
      changes.push(JSON.parse(line) as Change)
    } catch {
      break
    }
  }
  return changes
}
