// Temporary data dirs for store tests, removed at the end of the file, and the stores a test
// leaves open on purpose (a crashed process never closes them), closed just before.
import type { Test } from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JournalStore } from '../../gateway/store/journal-store.js'

export function storeDirs (t: Test, prefix: string): { tempDir: () => Promise<string>, leaveOpen: (store: JournalStore) => void } {
  const dirs: string[] = []
  const leftOpen: JournalStore[] = []
  t.teardown(async () => {
    await Promise.allSettled(leftOpen.map((s) => s.close()))
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
  })
  return {
    tempDir: async () => {
      const dir = await mkdtemp(join(tmpdir(), prefix))
      dirs.push(dir)
      return dir
    },
    leaveOpen: (store) => { leftOpen.push(store) }
  }
}
