// Everything in a data dir is secret: the journal and the snapshot hold the merchants' HMAC
// secrets, the admin token and the gateway's private keys (docs/operations.md#the-data-dir). So
// the folder the store creates is the owner's alone, and so is every file it writes.
import { chmod, readdir } from 'node:fs/promises'
import { join } from 'node:path'

export const SECRET_DIR_MODE = 0o700
export const SECRET_FILE_MODE = 0o600

/** The store's own files in `dir`: the snapshot, its temp file and the journals. */
export const isStoreFile = (name: string): boolean => /^(paylab\.json|\.paylab\.json\.tmp|journal-\d+\.jsonl)$/.test(name)

/**
 * Makes the store files already in `dir` owner-only: a data dir written by an older paylab
 * (0644 files) is private from the next start on. The folder's own mode is left as it is: the
 * operator may have chosen it, and the files are what hold the secrets.
 */
export async function tightenStoreFiles (dir: string): Promise<void> {
  for (const name of await readdir(dir)) if (isStoreFile(name)) await chmod(join(dir, name), SECRET_FILE_MODE)
}
