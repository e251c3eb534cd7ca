// The lowdb adapter of the store's snapshot (paylab.json). It reads the file as lowdb's DataFile
// does, but writes it in pieces: a snapshot of 100,000 payments is hundreds of MB of JSON, and one
// JSON.stringify of it held the event loop for seconds. Here each table is serialized a record at a
// time into chunks of CHUNK characters, and every chunk's write yields to the event loop, so requests
// go on being answered while a snapshot is written. The file appears whole or not at all: it is
// written to a temp file, fsync'ed, renamed over paylab.json, and the folder fsync'ed.
import { open, readFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Adapter } from 'lowdb'
import { fsyncPath, writeAll } from './files.js'
import { SECRET_FILE_MODE } from './permissions.js'

/** A snapshot: header fields, and tables of records (arrays that the writer does not change). */
export interface SnapshotData { tables: Record<string, readonly unknown[] | undefined> }

export interface SnapshotFileOptions {
  /** Characters serialized between two yields to the event loop. */
  chunk?: number
}

export class SnapshotFile<T extends SnapshotData> implements Adapter<T> {
  readonly #path: string
  readonly #temp: string
  readonly #chunk: number

  constructor (path: string, options: SnapshotFileOptions = {}) {
    this.#path = path
    this.#temp = join(dirname(path), `.${basename(path)}.tmp`)
    this.#chunk = options.chunk ?? 256 * 1024
  }

  async read (): Promise<T | null> {
    let text: string
    try {
      text = await readFile(this.#path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
    return JSON.parse(text) as T
  }

  /** Removes a temp file left by a write that a crash interrupted. */
  async removeTemp (): Promise<void> {
    await rm(this.#temp, { force: true })
  }

  async write (data: T): Promise<void> {
    const file = await open(this.#temp, 'w', SECRET_FILE_MODE)
    try {
      let text = ''
      const flush = async (): Promise<void> => {
        if (text === '') return
        const piece = text
        text = ''
        await writeAll(file, piece)
      }
      const { tables, ...header } = data
      const head = JSON.stringify(header)
      text = `${head.slice(0, -1)}${head === '{}' ? '' : ','}"tables":{`
      let firstTable = true
      for (const [name, rows] of Object.entries(tables)) {
        if (rows === undefined) continue
        text += `${firstTable ? '' : ','}${JSON.stringify(name)}:[`
        firstTable = false
        for (let i = 0; i < rows.length; i++) {
          text += (i === 0 ? '' : ',') + (JSON.stringify(rows[i]) ?? 'null')
          if (text.length >= this.#chunk) await flush()
        }
        text += ']'
      }
      text += '}}'
      await flush()
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(this.#temp, this.#path)
    await fsyncPath(dirname(this.#path))
  }
}
