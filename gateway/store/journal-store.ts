// The embedded store of a data dir: a lowdb JSON snapshot with an append-only journal in front.
//
// A request appends its changes to the journal (one JSON line each) and is answered once they
// are fsync'ed. Appends that arrive while a write is under way are grouped into the next write,
// so many concurrent requests share one fsync (group commit), and the cost of a request does
// not depend on how much is stored. When the journal grows past a threshold, the state is
// compacted: writes switch to a fresh journal, and the state as it was at the switch is written
// as a new lowdb snapshot beside them, in pieces that leave the event loop free (SnapshotFile).
//
// A write that fails (a full disk) is rejected and cut off the journal again, so the journal
// only ever holds whole lines of acknowledged writes; the next write tries again, so the store
// works again by itself once there is space. A failed fsync is different: what reached the disk
// is unknown (the kernel may have dropped the dirty pages), so the store refuses every write
// from then on and reports it once (onFatal).
import { join } from 'node:path'
import { Low } from 'lowdb'
import { type Change, type ReadRecord, type Snapshot, type StorePort } from '../engine/db.js'
import type { TableName } from '../engine/types.js'
import { fsyncPath, nodeFiles, writeAll, type StoreFile, type StoreFiles } from './files.js'
import { lineOf, parseJournal } from './journal-lines.js'
import { SnapshotFile, type SnapshotFileOptions } from './snapshot-file.js'
import { tightenStoreFiles } from './permissions.js'

/**
 * `journal`: the first journal that follows the snapshot (older ones are already in it). Format 2
 * records may leave out what another record of the snapshot holds (see `resolve` in open); format
 * 1 (before) never does, and reads the same way. Format 3 (and the journal lines written beside
 * it) may keep a record in its own form (db.ts recordText: an idempotency record's answer as JSON,
 * not as a string of JSON), which a paylab reading up to format 2 would misread.
 */
interface SnapshotState { format: 1 | 2 | 3, journal: number, tables: Snapshot }
const FORMAT = 3

export interface JournalStoreOptions {
  /**
   * Journal lines after which the state is snapshotted and the journal restarted; a state with
   * more records than that waits for as many lines as it has records (see #drain).
   */
  compactEvery?: number
  snapshot?: SnapshotFileOptions
  /** The file operations (tests inject a disk that fills up). */
  files?: StoreFiles
  /** Told once when an fsync fails: the store refuses every write from then on. */
  onFatal?: (err: StorageFailure) => void
  /** Where a dropped torn journal line is reported (process warnings by default). */
  warn?: (message: string) => void
}

/** Why a write was refused; `fatal` when an fsync failed and the store no longer writes at all. */
export class StorageFailure extends Error {
  readonly code: string
  readonly fatal: boolean
  constructor (message: string, cause: unknown, fatal = false) {
    super(message, { cause })
    this.name = 'StorageFailure'
    this.code = (cause as { code?: string } | undefined)?.code ?? 'EIO'
    this.fatal = fatal
  }
}

interface Queued { text: string, done: Promise<void>, resolve: () => void, reject: (e: unknown) => void }

export class JournalStore implements StorePort {
  readonly #dir: string
  readonly #compactEvery: number
  readonly #files: StoreFiles
  readonly #file: SnapshotFile<SnapshotState>
  readonly #db: Low<SnapshotState>
  readonly #onFatal: (err: StorageFailure) => void
  readonly #warn: (message: string) => void
  #snapshot: () => Snapshot = () => ({})
  #journalNo = 0
  #journal: StoreFile | undefined
  /** Bytes of whole, written lines in the current journal: where a failed write is cut back to. */
  #size = 0
  /** A failed write left bytes past #size that could not be cut off yet. */
  #torn = false
  #fatal: StorageFailure | undefined
  /** Set from a failed write until the next turn of the event loop: see #refuse. */
  #refusing: StorageFailure | undefined
  #lines = 0
  /** Records in the snapshot last read or written. */
  #records = 0
  #queue: Queued[] = []
  #tail: Promise<void> = Promise.resolve()
  #drainScheduled = false
  /** The compaction under way, if any: one at a time. */
  #compaction: Promise<void> | undefined

  constructor (dir: string, options: JournalStoreOptions = {}) {
    this.#dir = dir
    this.#compactEvery = options.compactEvery ?? 50_000
    this.#files = options.files ?? nodeFiles
    this.#file = new SnapshotFile(join(dir, 'paylab.json'), { files: this.#files, ...options.snapshot })
    this.#db = new Low(this.#file, empty())
    this.#onFatal = options.onFatal ?? (() => {})
    this.#warn = options.warn ?? ((message) => process.emitWarning(message, 'PaylabStoreWarning'))
  }

  async open (snapshot: () => Snapshot, read?: ReadRecord): Promise<Snapshot> {
    this.#snapshot = snapshot
    await this.#files.mkdir(this.#dir)
    await tightenStoreFiles(this.#dir)
    await this.#file.removeTemp()
    // Each record of the snapshot goes to its table as it is read, through `read`: what it left
    // out refers to the snapshot's own records, not to later changes; and what `read` drops is
    // dropped before the next record is read, not after the whole snapshot.
    const tables = new Map<TableName, Map<string, unknown>>()
    const lookup = (table: TableName, id: string): unknown => tables.get(table)?.get(id)
    this.#file.onRow = (name, row) => {
      const kept = read === undefined ? row : read(name as TableName, row, lookup)
      let table = tables.get(name as TableName)
      if (table === undefined) tables.set(name as TableName, table = new Map<string, unknown>())
      table.set((kept as { id: string }).id, kept)
    }
    try {
      await this.#db.read()
    } finally {
      this.#file.onRow = undefined
    }
    const state = this.#db.data
    this.#db.data = empty() // the records live in the engine's tables; no second reference here
    if (state.format > FORMAT) throw new Error(`${join(this.#dir, 'paylab.json')} is in format ${state.format}, written by a later paylab; this one reads up to ${FORMAT}`)
    // Replay every journal the snapshot does not already contain, oldest first. Those it does
    // contain are left over by a crash between a compaction's snapshot and their removal.
    const journals = await this.#journals()
    for (const no of journals) {
      if (no < state.journal) { await this.#files.rm(this.#journalPath(no)); continue }
      const path = this.#journalPath(no)
      for (const change of parseJournal(await this.#files.readFile(path), path, this.#warn)) {
        let table = tables.get(change.table)
        if (table === undefined) tables.set(change.table, table = new Map<string, unknown>())
        if ('deleted' in change) table.delete(change.id)
        else table.set(change.id, change.value)
      }
    }
    // Writes go to a fresh journal: appending to the last one would glue the first new line to a
    // torn tail left by a crash.
    this.#journalNo = Math.max(state.journal, ...journals) + 1
    this.#journal = await this.#createJournal(this.#journalNo)
    this.#size = 0
    this.#lines = 0
    this.#records = [...tables.values()].reduce((n, rows) => n + rows.size, 0)
    return Object.fromEntries([...tables].map(([name, rows]) => [name, [...rows.values()]]))
  }

  append (changes: Change[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve()
    const refused = this.#fatal ?? this.#refusing
    if (refused !== undefined) return Promise.reject(refused)
    let text = ''
    for (const c of changes) text += `${lineOf(c)}\n`
    this.#lines += changes.length
    let resolve!: () => void
    let reject!: (e: unknown) => void
    const done = new Promise<void>((res, rej) => { resolve = res; reject = rej })
    this.#queue.push({ text, done, resolve, reject })
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
      await this.#write(batch.map((b) => b.text).join(''))
      for (const b of batch) b.resolve()
    } catch (err) {
      const failure = err instanceof StorageFailure ? err : new StorageFailure(`the journal write failed: ${(err as Error).message}`, err)
      for (const b of batch) b.reject(failure)
      this.#refuse(failure)
    }
    // A compaction rewrites every record, so it waits for at least as many changes as there are
    // records: its cost per change then stays the same however much is stored (a fixed threshold
    // would rewrite a large store over and over), and a journal to replay stays about as long as
    // its snapshot.
    if (this.#lines >= Math.max(this.#compactEvery, this.#records) && this.#compaction === undefined && this.#fatal === undefined) {
      void this.compact().catch(() => {})
    }
  }

  async #write (text: string): Promise<void> {
    if (this.#fatal !== undefined) throw this.#fatal
    const file = this.#journal
    if (file === undefined) throw new StorageFailure('the store is closed', undefined)
    // Bytes of a failed write that could not be cut off then go now, before anything follows them.
    if (this.#torn) { await file.truncate(this.#size); this.#torn = false }
    const bytes = Buffer.from(text, 'utf8')
    try {
      await writeAll(file, bytes)
    } catch (err) {
      this.#torn = true
      await file.truncate(this.#size).then(() => { this.#torn = false }, () => {})
      throw new StorageFailure(`the journal write failed (${(err as { code?: string }).code ?? 'error'}): nothing of it was kept`, err)
    }
    this.#size += bytes.length
    try {
      await file.datasync()
    } catch (err) {
      this.#fatal = new StorageFailure(`fsync of ${this.#journalPath(this.#journalNo)} failed (${(err as { code?: string }).code ?? 'error'}): what is on disk is unknown, so the store takes no more writes; restart the gateway once the disk is healthy`, err, true)
      this.#onFatal(this.#fatal)
      throw this.#fatal
    }
  }

  /**
   * After a failed write, the engine undoes in memory every change not yet durable, when it hears
   * of the failure. Changes appended before that, queued or in this turn of the event loop, rest
   * on the undone ones: they are refused too, until the next turn, when the undo is done.
   */
  #refuse (failure: StorageFailure): void {
    for (const b of this.#queue.splice(0)) b.reject(failure)
    this.#refusing = failure
    setImmediate(() => { if (this.#refusing === failure) this.#refusing = undefined })
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
    const { journal, previous, state, queued } = await this.#serial(async () => {
      if (this.#fatal !== undefined) throw this.#fatal
      const previous = this.#journalNo
      const file = await this.#createJournal(previous + 1)
      await this.#journal?.close()
      this.#journal = file
      this.#journalNo = previous + 1
      this.#size = 0
      this.#torn = false
      this.#lines = 0
      return { journal: previous + 1, previous, state: this.#snapshot(), queued: this.#queue.map((b) => b.done) }
    })
    this.#records = Object.values(state).reduce((n, rows) => n + (rows?.length ?? 0), 0)
    // The state holds the changes still queued at the switch. Should one of them fail (and be
    // undone in memory), this snapshot would bring it back: it is dropped before it replaces
    // the last one, and the journals it would have replaced stay.
    const settled = async (): Promise<void> => {
      if ((await Promise.allSettled(queued)).some((r) => r.status === 'rejected')) {
        throw new StorageFailure('a change in the snapshot was not written; the snapshot is dropped', undefined)
      }
    }
    await this.#file.write({ format: FORMAT, journal, tables: state }, settled)
    // Every older journal, not only the last: a restart after a crash leaves one behind (see open).
    for (const no of await this.#journals()) if (no <= previous) await this.#files.rm(this.#journalPath(no))
  }

  async close (): Promise<void> {
    try {
      // A compaction that fails (a full disk) loses nothing: the journals stay and are replayed.
      await this.compact().catch(() => {})
    } finally {
      await this.#serial(async () => {
        await this.#journal?.close()
        this.#journal = undefined
      })
    }
  }

  /** A new, empty journal whose name is durable in the folder before anything in it is acknowledged. */
  async #createJournal (no: number): Promise<StoreFile> {
    const file = await this.#files.open(this.#journalPath(no), 'a')
    try {
      await fsyncPath(this.#dir, this.#files)
    } catch (err) {
      await file.close()
      throw err
    }
    return file
  }

  /** Numbers of the journal files in the folder, oldest first. */
  async #journals (): Promise<number[]> {
    return (await this.#files.readdir(this.#dir))
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
