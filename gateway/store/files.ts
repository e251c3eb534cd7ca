// File operations the store's durability rests on.
import { open, type FileHandle } from 'node:fs/promises'

/** Writes every byte of `text`: a write may take fewer bytes than it is given (a full disk, a signal). */
export async function writeAll (file: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8')
  for (let at = 0; at < bytes.length;) at += (await file.write(bytes, at, bytes.length - at)).bytesWritten
}

/** fsyncs a file or folder by path (a folder after a file in it was created, renamed or removed). */
export async function fsyncPath (path: string): Promise<void> {
  const handle = await open(path, 'r')
  try { await handle.datasync() } finally { await handle.close() }
}
