// The journal's lines: one JSON object per change, appended by JournalStore and read back
// (replayed over the snapshot) when a data dir is opened.
import { recordText, type Change } from '../engine/db.js'

/**
 * A change's journal line: `{"table":…,"id":…,"value":…}` (or `"deleted":true`), the value's text
 * taken as made (Change.text, recordText) rather than serialized again.
 */
export function lineOf (c: Change): string {
  if ('deleted' in c) return JSON.stringify(c)
  return `{"table":"${c.table}","id":${JSON.stringify(c.id)},"value":${c.text ?? recordText(c.value)}}`
}

/**
 * The changes of a journal. A damaged last line is what a crash in the middle of a write leaves
 * (that write was never acknowledged): it is dropped, with a warning. A damaged line with whole
 * lines after it is no such thing, and dropping the lines after it would lose acknowledged
 * writes: the store refuses to open, naming the file and the byte offset.
 */
export function parseJournal (text: string, path: string, warn: (message: string) => void): Change[] {
  const changes: Change[] = []
  const lines = text.split('\n')
  let offset = 0
  let damaged: { offset: number, line: string } | undefined
  for (const line of lines) {
    const at = offset
    offset += Buffer.byteLength(line, 'utf8') + 1
    if (line === '') continue
    if (damaged !== undefined) {
      throw new Error(`${path}: the line at byte ${damaged.offset} is damaged and whole lines follow it; ` +
        'the store will not open without them (move the damaged line out of the file by hand)')
    }
    try {
      changes.push(JSON.parse(line) as Change)
    } catch {
      damaged = { offset: at, line }
    }
  }
  if (damaged !== undefined) {
    warn(`${path}: dropped a torn last line at byte ${damaged.offset} (${Buffer.byteLength(damaged.line, 'utf8')} bytes), a write a crash or a full disk interrupted; it was never acknowledged`)
  }
  return changes
}
