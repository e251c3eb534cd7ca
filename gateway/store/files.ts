// File operations the store's durability rests on, behind one injectable interface: tests hand
// the store a file layer that runs out of space or writes short, which no real disk does on cue.
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { SECRET_DIR_MODE, SECRET_FILE_MODE } from './permissions.js'

/** The part of a node FileHandle the store uses. */
export interface StoreFile {
  write (buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>
  truncate (length: number): Promise<void>
  datasync (): Promise<void>
  sync (): Promise<void>
  close (): Promise<void>
}

export interface StoreFiles {
  /** `a`: append (created if missing); `w`: write from empty; `r`: read. */
  open (path: string, flags: 'a' | 'w' | 'r'): Promise<StoreFile>
  readFile (path: string): Promise<string>
  /** The bytes of a file, a piece at a time (a large snapshot is not held whole); readFile's when absent. */
  readChunks? (path: string): AsyncIterable<Buffer>
  readdir (path: string): Promise<string[]>
  mkdir (path: string): Promise<void>
  rename (from: string, to: string): Promise<void>
  /** Removes a file; a missing one is fine. */
  rm (path: string): Promise<void>
}

export const nodeFiles: StoreFiles = {
  // A data dir holds secrets (permissions.ts): what the store creates is the owner's alone.
  open: (path, flags) => open(path, flags, SECRET_FILE_MODE),
  readFile: (path) => readFile(path, 'utf8'),
  readChunks: (path) => createReadStream(path, { highWaterMark: 1 << 20 }),
  readdir: (path) => readdir(path),
  mkdir: async (path) => { await mkdir(path, { recursive: true, mode: SECRET_DIR_MODE }) },
  rename: (from, to) => rename(from, to),
  rm: (path) => rm(path, { force: true })
}

/** Writes every byte: a write may take fewer bytes than it is given (a full disk, a signal). */
export async function writeAll (file: StoreFile, data: string | Buffer): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  for (let at = 0; at < bytes.length;) {
    const { bytesWritten } = await file.write(bytes, at, bytes.length - at)
    // Never loop forever on a file that takes nothing and reports no error.
    if (bytesWritten <= 0) throw Object.assign(new Error('the write took no bytes'), { code: 'EIO' })
    at += bytesWritten
  }
}

/** fsyncs a file or folder by path (a folder after a file in it was created, renamed or removed). */
export async function fsyncPath (path: string, files: StoreFiles = nodeFiles): Promise<void> {
  const handle = await files.open(path, 'r')
  try { await handle.datasync() } finally { await handle.close() }
}
