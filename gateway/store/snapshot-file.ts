// The lowdb adapter of the store's snapshot (paylab.json). It reads and writes the file a record
// at a time (snapshot-lines.ts), where lowdb's DataFile holds it whole: a snapshot of 100,000
// payments is over 100 MB of JSON, and one JSON.stringify of it held the event loop for seconds. Here each table is serialized a record at a
// time into chunks of CHUNK characters, and every chunk's write yields to the event loop, so requests
// go on being answered while a snapshot is written. The file appears whole or not at all: it is
// written to a temp file, fsync'ed, renamed over paylab.json, and the folder fsync'ed. A write
// that fails (a full disk) removes its temp file, giving the space back.
import { basename, dirname, join } from 'node:path'
import type { Adapter } from 'lowdb'
import { recordText } from '../engine/db.js'
import { fsyncPath, nodeFiles, writeAll, type StoreFile, type StoreFiles } from './files.js'
import { layout, readSnapshot, type OnRow } from './snapshot-lines.js'

/** A snapshot: header fields, and tables of records (arrays that the writer does not change). */
export interface SnapshotData { tables: Record<string, readonly unknown[] | undefined> }

export interface SnapshotFileOptions {
  /** Characters serialized between two yields to the event loop. */
  chunk?: number
  files?: StoreFiles
}

export class SnapshotFile<T extends SnapshotData> implements Adapter<T> {
  readonly #path: string
  readonly #temp: string
  readonly #chunk: number
  readonly #files: StoreFiles

  constructor (path: string, options: SnapshotFileOptions = {}) {
    this.#path = path
    this.#temp = join(dirname(path), `.${basename(path)}.tmp`)
    this.#chunk = options.chunk ?? 256 * 1024
    this.#files = options.files ?? nodeFiles
  }

  /** Set: each record read is handed to it, as it is read, instead of being kept in the tables' arrays. */
  onRow: OnRow | undefined

  async read (): Promise<T | null> {
    try {
      const chunks = this.#files.readChunks?.(this.#path) ?? [Buffer.from(await this.#files.readFile(this.#path), 'utf8')]
      return await readSnapshot(chunks, this.#path, this.onRow) as T
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
  }

  /** Removes a temp file left by a write that a crash interrupted. */
  async removeTemp (): Promise<void> {
    await this.#files.rm(this.#temp)
  }

  /** `beforeRename`: a last check that may still call the write off (by throwing). */
  async write (data: T, beforeRename?: () => Promise<void>): Promise<void> {
    try {
      await this.#writeTemp(data)
      await beforeRename?.()
    } catch (err) {
      await this.#files.rm(this.#temp).catch(() => {})
      throw err
    }
    await this.#files.rename(this.#temp, this.#path)
    await fsyncPath(dirname(this.#path), this.#files)
  }

  async #writeTemp (data: T): Promise<void> {
    const file = await this.#files.open(this.#temp, 'w')
    try {
      // Records are encoded straight into one reused buffer, written out each time it holds a
      // chunk: no chunk-sized string is built and flattened, nor a buffer made per chunk, so
      // that the garbage a compaction leaves is the records' JSON alone.
      const out = new ChunkBuffer(file, this.#chunk)
      // Awaited only when a chunk is written: an await per record would cost a microtask each.
      let written: Promise<void> | undefined
      const { tables, ...header } = data
      await out.add(layout.head(JSON.stringify(header)))
      let firstTable = true
      for (const [name, rows] of Object.entries(tables)) {
        if (rows === undefined) continue
        await out.add(layout.table(name, firstTable))
        firstTable = false
        for (let i = 0; i < rows.length; i++) {
          written = out.add(layout.row(recordText(rows[i]) ?? 'null', i === rows.length - 1))
          if (written !== undefined) await written
        }
        await out.add(layout.tableEnd)
      }
      await out.add(layout.end)
      await out.flush()
      await file.sync()
    } finally {
      await file.close()
    }
  }
}

/** Text encoded into a buffer that is written (and reused) each time it holds `chunk` bytes. */
class ChunkBuffer {
  readonly #file: StoreFile
  readonly #chunk: number
  readonly #buffer: Buffer
  #used = 0

  constructor (file: StoreFile, chunk: number) {
    this.#file = file
    this.#chunk = Math.max(1, chunk)
    this.#buffer = Buffer.allocUnsafe(this.#chunk + 64 * 1024)
  }

  /** Resolves at once unless the text completed a chunk (then once that is written). */
  add (text: string): Promise<void> | undefined {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    if (this.#used + text.length * 3 > this.#buffer.length) return this.#flushThen(text)
    this.#used += this.#buffer.write(text, this.#used, 'utf8')
    return this.#used >= this.#chunk ? this.flush() : undefined
  }

  async #flushThen (text: string): Promise<void> {
    await this.flush()
    if (text.length * 3 > this.#buffer.length) await writeAll(this.#file, text)
    else this.#used = this.#buffer.write(text, 0, 'utf8')
    if (this.#used >= this.#chunk) await this.flush()
  }

  async flush (): Promise<void> {
    if (this.#used === 0) return
    const used = this.#used
    this.#used = 0
    await writeAll(this.#file, this.#buffer.subarray(0, used))
  }
}
