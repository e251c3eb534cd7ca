// The layout of a snapshot file, one record per line, and its reading a line at a time. The file
// is JSON all the same (lowdb's, a person's `jq`), laid out so that a reader need not hold it whole:
//
//   {"format":2,"journal":7,"tables":{
//   "merchants":[
//   {…record…},
//   {…record…}
//   ]
//   ,"payments":[
//   …
//   ]
//   }}
//
// JSON.stringify never writes a raw line break, so each record is one line. Read whole (a string of
// hundreds of MB, then its parse), a snapshot of 100,000 payments took twice its size in memory
// at start, which the process kept long after. A snapshot written before (format 1, one line) is
// read whole, as it was.

/** The lines that open the file and a table, close a table and the file. */
export const layout = {
  head: (header: string): string => `${header.slice(0, -1)}${header === '{}' ? '' : ','}"tables":{\n`,
  table: (name: string, first: boolean): string => `${first ? '' : ','}${JSON.stringify(name)}:[\n`,
  row: (json: string, last: boolean): string => `${json}${last ? '' : ','}\n`,
  tableEnd: ']\n',
  end: '}}\n'
}

const TABLE = /^,?("(?:[^"\\]|\\.)*"):\[$/

/** What becomes of each record read: handed to `onRow` (and not kept in the tables' arrays), in file order. */
export type OnRow = (table: string, row: unknown) => void

/** The snapshot in `chunks` (its bytes, in order), parsed a record at a time. */
export async function readSnapshot (chunks: AsyncIterable<Buffer> | Iterable<Buffer>, path: string, onRow?: OnRow): Promise<unknown> {
  let state: { tables: Record<string, unknown[]> } | undefined
  /** Format 1: the lines so far of a file read whole. */
  let whole: string[] | undefined
  let rows: unknown[] | undefined
  let table = ''
  let ended = false
  for await (const batch of splitLines(chunks)) {
    for (const line of batch) {
      if (whole !== undefined) { whole.push(line); continue }
      if (state === undefined) {
        if (line.endsWith('"tables":{')) state = JSON.parse(`${line}}}`) as { tables: Record<string, unknown[]> }
        else whole = [line]
        continue
      }
      if (ended) { if (line === '') continue; throw new Error(`${path}: text after the end of the snapshot`) }
      if (rows !== undefined && line !== ']') {
        const row: unknown = JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line)
        if (onRow === undefined) rows.push(row)
        else onRow(table, row)
        continue
      }
      if (line === ']') { rows = undefined; continue }
      if (line === '}}') { ended = true; continue }
      const opened = TABLE.exec(line)
      if (opened === null) throw new Error(`${path}: a line that is no table of the snapshot: ${line.slice(0, 80)}`)
      table = JSON.parse(opened[1] as string) as string
      rows = state.tables[table] = []
    }
  }
  if (whole !== undefined) {
    const read = JSON.parse(whole.join('\n')) as { tables?: Record<string, unknown[]> }
    if (onRow !== undefined && read.tables !== undefined) {
      for (const [name, all] of Object.entries(read.tables)) {
        for (const row of all) onRow(name, row)
        read.tables[name] = []
      }
    }
    return read
  }
  if (state === undefined) throw new Error(`${path} is empty`)
  if (!ended) throw new Error(`${path} ends before the end of the snapshot: the file is damaged`)
  return state
}

/** The lines of each chunk (split at \n, which no UTF-8 sequence contains, then decoded). */
async function * splitLines (chunks: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<string[], void, undefined> {
  // The start of a line that goes on in a later chunk, in pieces: joined once, at its end.
  let carry: Buffer[] = []
  for await (const chunk of chunks) {
    const lines: string[] = []
    let from = 0
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, from)) {
      const part = chunk.subarray(from, at)
      lines.push((carry.length === 0 ? part : Buffer.concat([...carry, part])).toString('utf8'))
      carry = []
      from = at + 1
    }
    if (from < chunk.length) carry.push(chunk.subarray(from))
    yield lines
  }
  if (carry.length > 0) yield [Buffer.concat(carry).toString('utf8')]
}
