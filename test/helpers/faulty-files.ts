// A file layer for the store that runs out of space on cue, writes short, or fails an fsync, the
// way a real disk does under pressure (and no test can make one do without root). It wraps the
// real files: what it lets through is really written.
import { nodeFiles, type StoreFile, type StoreFiles } from '../../gateway/store/files.js'

export interface FaultyFiles extends StoreFiles {
  /** Bytes that may still be written before writes fail with ENOSPC; Infinity for no limit. */
  space: number
  /** Most bytes one write takes (a short write); Infinity for whole writes. */
  maxWrite: number
  /** When true, the next datasync/sync fails with EIO. */
  failSync: boolean
  /** Bytes written so far, and writes refused with ENOSPC. */
  readonly stats: { written: number, refused: number, truncates: number }
}

const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 })

/** `faultsOn`: the files faults apply to (all by default). */
export function faultyFiles (options: { space?: number, maxWrite?: number, faultsOn?: (path: string) => boolean } = {}): FaultyFiles {
  const stats = { written: 0, refused: 0, truncates: 0 }
  const files: FaultyFiles = {
    ...nodeFiles,
    space: options.space ?? Infinity,
    maxWrite: options.maxWrite ?? Infinity,
    failSync: false,
    stats,
    open: async (path, flags) => {
      const file = await nodeFiles.open(path, flags)
      return options.faultsOn === undefined || options.faultsOn(path) ? wrap(file) : file
    }
  }
  const syncing = (real: () => Promise<void>) => async (): Promise<void> => {
    if (files.failSync) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO', errno: -5 })
    await real()
  }
  function wrap (file: StoreFile): StoreFile {
    return {
      // Like write(2) on a nearly full disk: what fits is written and counted, and only a write
      // that can take nothing at all fails.
      write: async (buffer, offset, length) => {
        if (files.space <= 0) { stats.refused++; throw enospc() }
        const n = Math.min(length, files.maxWrite, files.space)
        const result = await file.write(buffer, offset, n)
        files.space -= result.bytesWritten
        stats.written += result.bytesWritten
        return result
      },
      truncate: async (length) => { stats.truncates++; await file.truncate(length) },
      datasync: syncing(() => file.datasync()),
      sync: syncing(() => file.sync()),
      close: () => file.close()
    }
  }
  return files
}
