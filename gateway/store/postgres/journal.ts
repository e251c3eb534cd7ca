// The request journal of every gateway on one PostgreSQL database (table paylab_journal): a
// request answered by one replica is in the journal every replica's admin API and dashboard read.
//
// An entry is complete only once its request is answered (status, latency, the payment it was
// about are filled in after the engine's commit), so it is written then, not with the commit.
// Writes are batched in the background, on a connection of their own: no answer waits for the
// journal, and a burst of requests costs one INSERT per turn of the event loop. A query on a
// replica first writes that replica's waiting entries, so what it answered is there; another
// replica's entries arrive within the round trip of its write (docs/postgres.md).
import pg from 'pg'
import { STORAGE_RETRY_AFTER_SEC } from '../../engine/db.js'
import { STORAGE_UNAVAILABLE } from '../../engine/errors.js'
import { JOURNAL_CAPACITY, parseSince, type JournalEntry, type JournalQuery, type SharedJournal } from '../../engine/journal.js'

/** U+0000 cannot be stored in text: ids are escaped as paylab_rows' are. */
const encode = (id: string): string => id.replaceAll('%', '%25').replaceAll('\u0000', '%00')

/** Entries written between two prunes: the table holds at most the capacity plus these. */
const PRUNE_EVERY = 500

/** A glob (`*` any characters, `?` one) as a LIKE pattern. */
function likeOf (glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%').replaceAll('?', '_')
}

export class PostgresJournal implements SharedJournal {
  readonly #url: string
  readonly #capacity: number
  readonly #timeoutMs: number
  #client: Promise<pg.Client> | undefined
  #queue: JournalEntry[] = []
  /** Entries handed over already (a connection a fault ends may report its entry twice). */
  readonly #added = new WeakSet<JournalEntry>()
  #flushing: Promise<void> = Promise.resolve()
  #scheduled = false
  #sincePrune = 0
  #closed = false

  /** `timeoutMs`: how long connecting, and each query, may take before the journal gives up on them. */
  constructor (url: string, capacity = JOURNAL_CAPACITY, timeoutMs = 10_000) {
    this.#url = url
    this.#capacity = capacity
    this.#timeoutMs = timeoutMs
  }

  add (entry: JournalEntry): void {
    if (this.#closed || this.#added.has(entry)) return
    this.#added.add(entry)
    this.#queue.push(entry)
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => { void this.#flush() })
  }

  /** Writes the entries waiting now, after those under way; resolves when they are written (or lost). */
  #flush (): Promise<void> {
    this.#scheduled = false
    const batch = this.#queue
    this.#queue = []
    this.#flushing = this.#flushing.then(async () => {
      if (batch.length === 0) return
      try {
        await this.#write(batch)
      } catch {
        // The journal is the operator's record, not state an answer rests on: a batch the
        // database did not take is dropped rather than holding up the ones after it.
        this.#drop()
      }
    })
    return this.#flushing
  }

  async #write (batch: JournalEntry[]): Promise<void> {
    const client = await this.#connection()
    const cols: Array<Array<string | number | null>> = [[], [], [], [], [], [], [], []]
    for (const e of batch) {
      const { seq: _local, ...rest } = e
      const row = [e.merchant_id === null ? null : encode(e.merchant_id), e.channel, e.method, e.path.replaceAll('\u0000', '\uFFFD'), e.status,
        e.payment_id === null ? null : encode(e.payment_id), Date.parse(e.time), JSON.stringify(rest)]
      row.forEach((v, i) => (cols[i] as unknown[]).push(v))
    }
    await client.query(`INSERT INTO paylab_journal (merchant_id, channel, method, path, status, payment_id, at_ms, entry)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::double precision[], $8::text[])`, cols)
    this.#sincePrune += batch.length
    if (this.#sincePrune >= PRUNE_EVERY) {
      this.#sincePrune = 0
      await client.query('DELETE FROM paylab_journal WHERE seq <= (SELECT max(seq) FROM paylab_journal) - $1', [this.#capacity])
    }
  }

  async query (q: JournalQuery): Promise<JournalEntry[]> {
    const params: unknown[] = []
    const where = this.#where(q, params)
    const limit = q.limit === undefined ? 100 : Number(q.limit)
    const bounded = Number.isFinite(limit) ? ` LIMIT ${Math.max(0, Math.floor(limit))}` : ''
    const rows = await this.#read<{ seq: string, entry: string }>(`SELECT seq, entry FROM paylab_journal WHERE ${where} ORDER BY seq DESC${bounded}`, params)
    return rows.reverse().map(entryOf)
  }

  async count (q: JournalQuery): Promise<number> {
    const params: unknown[] = []
    const rows = await this.#read<{ n: string }>(`SELECT count(*) AS n FROM paylab_journal WHERE ${this.#where(q, params)}`, params)
    return Number(rows[0]?.n ?? 0)
  }

  async entry (seq: number): Promise<JournalEntry | undefined> {
    const params: unknown[] = []
    const rows = await this.#read<{ seq: string, entry: string }>(`SELECT seq, entry FROM paylab_journal WHERE ${this.#where({}, params)} AND seq = $${params.push(seq)}`, params)
    return rows[0] === undefined ? undefined : entryOf(rows[0])
  }

  async clear (merchantId?: string): Promise<void> {
    if (merchantId === undefined) await this.#read('DELETE FROM paylab_journal', [])
    else await this.#read('DELETE FROM paylab_journal WHERE merchant_id = $1', [encode(merchantId)])
  }

  async close (): Promise<void> {
    // Entries handed over while the waiting ones are written (a connection the shutdown ends hands
    // its entry over then) are written too: closed only once nothing waits.
    for (let tail = this.#flush(); ; tail = this.#flush()) {
      await tail
      if (this.#queue.length === 0 && this.#flushing === tail) break
    }
    this.#closed = true
    const client = this.#client
    this.#client = undefined
    if (client !== undefined) await (await client.catch(() => undefined))?.end().catch(() => {})
  }

  /** This replica's waiting entries written first: what it answered is in what it reads (or clears). */
  async #read<R extends pg.QueryResultRow> (sql: string, params: unknown[]): Promise<R[]> {
    await this.#flush()
    try {
      return (await (await this.#connection()).query<R>(sql, params)).rows
    } catch (err) {
      if (!Object.hasOwn(err as object, 'severity')) this.#drop()
      // The database is down or restarting: a 503 the operator can retry, not a 500.
      throw STORAGE_UNAVAILABLE(`the journal could not be read from the database (${(err as { code?: string }).code ?? 'error'}); retry in a moment`, { retry_after: STORAGE_RETRY_AFTER_SEC })
    }
  }

  /** The query's filters as SQL, the ring's (journal.ts) one for one, within the newest `capacity` entries. */
  #where (q: JournalQuery, params: unknown[]): string {
    const $ = (v: unknown): string => `$${params.push(v)}`
    const parts = [`seq > (SELECT coalesce(max(seq), 0) FROM paylab_journal) - ${this.#capacity}`]
    const { seq, ms } = parseSince(q.since)
    if (q.merchant_id !== undefined) parts.push(`merchant_id = ${$(encode(q.merchant_id))}`)
    if (q.channel !== undefined) parts.push(`channel = ${$(q.channel)}`)
    if (q.path !== undefined) parts.push(`path LIKE ${$(likeOf(q.path))}`)
    if (q.method !== undefined) parts.push(`method = ${$(q.method.toUpperCase())}`)
    if (q.status !== undefined) parts.push(Number.isInteger(Number(q.status)) ? `status = ${$(Number(q.status))}` : 'false')
    if (q.payment_id !== undefined) parts.push(`payment_id = ${$(encode(q.payment_id))}`)
    // A seq past any bigint (since is up to 40 digits) is past every entry, as in the ring.
    if (seq !== undefined) parts.push(seq >= Number.MAX_SAFE_INTEGER ? 'false' : `seq > ${$(seq)}`)
    if (ms !== undefined) parts.push(`at_ms > ${$(ms)}`)
    return parts.join(' AND ')
  }

  #drop (): void {
    const client = this.#client
    this.#client = undefined
    void client?.then((c) => c.end()).catch(() => {})
  }

  #connection (): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error('the journal is closed'))
    if (this.#client === undefined) {
      // Bounded waits: a database that stopped answering (no reset, a hung host) must not hold
      // every later batch, and every journal read waiting behind them, for ever.
      const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: this.#timeoutMs, query_timeout: this.#timeoutMs })
      const connecting = client.connect().then(() => client)
      client.on('error', () => { if (this.#client === connecting) this.#client = undefined })
      connecting.catch(() => { if (this.#client === connecting) this.#client = undefined })
      this.#client = connecting
    }
    return this.#client
  }
}

function entryOf (row: { seq: string, entry: string }): JournalEntry {
  return { seq: Number(row.seq), ...(JSON.parse(row.entry) as Omit<JournalEntry, 'seq'>) }
}
