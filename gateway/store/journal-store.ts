// The embedded store of a data dir: a lowdb JSON snapshot with an append-only journal in front.
//
// A request appends its changes to the journal (one JSON line each) and is answered once they
// are fsync'ed. Appends that arrive while a write is under way are grouped into the next write,
// so many concurrent requests share one fsync (group commit), and the cost of a request does
// not depend on how much is stored. When the journal grows past a threshold, the whole state is
// written as a new lowdb snapshot (atomically: temp file and rename) and a fresh journal begins.
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { Low } from 'lowdb'
import { DataFile } from 'lowdb/node'
import type { Change, Snapshot, StorePort } from '../engine/db.js'
import type { TableName } from '../engine/types.js'

interface SnapshotFile { format: 1, journal: number, tables: Snapshot }

export interface JournalStoreOptions {
  /**
   * Journal lines after which the state is snapshotted and the journal restarted; a state with
   * more records than that waits for as many lines as it has records (see #drain).
   */
  compactEvery?: number
}

export class JournalStore implements StorePort {
  readonly #dir: string
  readonly #compactEvery: number
  readonly #db: Low<SnapshotFile>
  readonly #snapshotPath: string
  #snapshot: () => Snapshot = () => ({})
  #journalNo = 0
  #file: FileHandle | undefined
  #lines = 0
  /** Records in the snapshot last read or written. */
  #records = 0
  #queue: Array<{ text: string, resolve: () => void, reject: (e: unknown) => void }> = []
  #tail: Promise<void> = Promise.resolve()
  #drainScheduled = false
  #compactScheduled = false

  constructor (dir: string, options: JournalStoreOptions = {}) {
    this.#dir = dir
    this.#compactEvery = options.compactEvery ?? 50_000
    this.#snapshotPath = join(dir, 'paylab.json')
    this.#db = new Low(new DataFile<SnapshotFile>(this.#snapshotPath, {
      parse: (s) => JSON.parse(s) as SnapshotFile,
      stringify: (d) => JSON.stringify(d)
    }), { format: 1, journal: 0, tables: {} })
  }

  async open (snapshot: () => Snapshot): Promise<Snapshot> {
    this.#snapshot = snapshot
    await mkdir(this.#dir, { recursive: true })
    await this.#db.read()
    const state = this.#db.data
    const tables = new Map<TableName, Map<string, unknown>>()
    for (const [name, rows] of Object.entries(state.tables)) {
      tables.set(name as TableName, new Map((rows as Array<{ id: string }>).map((r) => [r.id, r])))
    }
    // Replay every journal the snapshot does not already contain, oldest first.
    const journals = await this.#journals()
    for (const no of journals) {
      if (no < state.journal) { await rm(this.#journalPath(no), { force: true }); continue }
      for (const change of parseJournal(await readFile(this.#journalPath(no), 'utf8'))) {
        let table = tables.get(change.table)
        if (table === undefined) tables.set(change.table, table = new Map())
        if ('deleted' in change) table.delete(change.id)
        else table.set(change.id, change.value)
      }
    }
    // Writes go to a fresh journal: appending to the last one would glue the first new line to a
    // torn tail left by a crash, and replay stops at that line, losing every acknowledged write after it.
    this.#journalNo = Math.max(state.journal, ...journals) + 1
    this.#file = await open(this.#journalPath(this.#journalNo), 'a')
    this.#lines = 0
    this.#records = [...tables.values()].reduce((n, rows) => n + rows.size, 0)
    return Object.fromEntries([...tables].map(([name, rows]) => [name, [...rows.values()]])) as Snapshot
  }

  append (changes: Change[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve()
    const text = changes.map((c) => JSON.stringify(c)).join('\n') + '\n'
    this.#lines += changes.length
    const done = new Promise<void>((resolve, reject) => this.#queue.push({ text, resolve, reject }))
    if (!this.#drainScheduled) {
      this.#drainScheduled = true
      this.#serial(() => this.#drain())
    }
    return done
  }

  /** Journal writes and compactions run one at a time, in order. */
  #serial (task: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(task)
    this.#tail = run.catch(() => {})
    return run
  }

  async #drain (): Promise<void> {
    // Let the requests of the current turn of the event loop join this write.
    await new Promise<void>((resolve) => setImmediate(resolve))
    this.#drainScheduled = false
    const batch = this.#queue
    this.#queue = []
    try {
      const file = this.#file
      if (file === undefined) throw new Error('the store is closed')
      await file.write(batch.map((b) => b.text).join(''))
      await file.datasync()
      for (const b of batch) b.resolve()
    } catch (err) {
      for (const b of batch) b.reject(err)
    }
    // A compaction rewrites every record, so it waits for at least as many changes as there are
    // records: its cost per change then stays the same however much is stored (a fixed threshold
    // would rewrite a large store over and over), and a journal to replay stays about as long as
    // its snapshot.
    if (this.#lines >= Math.max(this.#compactEvery, this.#records) && !this.#compactScheduled) {
      this.#compactScheduled = true
      void this.compact().catch(() => {})
    }
  }

  /** Writes the current state as the snapshot and starts a new journal. */
  compact (): Promise<void> {
    return this.#serial(async () => {
      this.#compactScheduled = false
      const previous = this.#file
      const previousNo = this.#journalNo
      // Nothing else writes while this runs: changes queued meanwhile go to the new journal,
      // and the snapshot already holds them too (replaying a put twice is harmless).
      this.#journalNo = previousNo + 1
      this.#file = await open(this.#journalPath(this.#journalNo), 'a')
      this.#lines = 0
      const tables = this.#snapshot()
      this.#records = Object.values(tables).reduce((n, rows) => n + (rows?.length ?? 0), 0)
      this.#db.data = { format: 1, journal: this.#journalNo, tables }
      await this.#db.write()
      await fsyncPath(this.#snapshotPath)
      await fsyncPath(this.#dir)
      await previous?.close()
      // Every older journal, not only the last: a restart after a crash leaves one behind (see open).
      for (const no of await this.#journals()) if (no <= previousNo) await rm(this.#journalPath(no), { force: true })
    })
  }

  async close (): Promise<void> {
    await this.compact()
    await this.#serial(async () => {
      await this.#file?.close()
      this.#file = undefined
    })
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

async function fsyncPath (path: string): Promise<void> {
  const handle = await open(path, 'r')
  try { await handle.datasync() } finally { await handle.close() }
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
