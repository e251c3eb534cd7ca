// The PostgreSQL store: several gateways (replicas) on one database behave as one gateway.
//
// Each gateway keeps the engine's tables in memory, as with the embedded store, and the database
// is where they agree. A commit is one call of paylab_apply (see migrations.ts): one round trip,
// one transaction, every changed row checked against the version this gateway last saw, and
// natural keys (order ids, refund references, idempotency keys, nonces) unique in the database.
// When another gateway got there first, the commit is refused as a StoreConflict: nothing of it is
// stored, the engine undoes it in memory, catches up and runs the operation again. Catching up
// reads the change feed past the last change seen, in commit order.
//
// Commits and catch-ups of one gateway run one at a time on one connection, in the order they
// were made: a catch-up sees every commit made before it, and a commit refused stops the ones
// made after it (they may rest on it), as a failed write does in the embedded store.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import type { Change, Snapshot, StorePort } from '../../engine/db.js'
import { StoreConflict } from '../../engine/store-conflict.js'
import type { TableName } from '../../engine/types.js'
import { FEED_HORIZON_MS, leave, PRUNE_EVERY_MS, pruneFeed, report, type Pruned } from './feed.js'
import { PostgresJournal } from './journal.js'
import { migrate } from './migrations.js'

interface Row { tbl: string, id: string, value: string | null, version: number }
interface FeedRow extends Row { seq: string }
interface Queued { batch: string, keys: string[], finals: Map<string, number>, deleted: Set<string>, commit: number, resolve: () => void, reject: (e: unknown) => void }

/** SQLSTATEs of a refused commit: paylab_apply's conflict, a unique key taken, a deadlock, a serialization failure. */
const CONFLICT_CODES = new Set(['PY409', '23505', '40P01', '40001'])

/** U+0000 (the engine's key separator) cannot be stored in text: ids are escaped. */
const encode = (id: string): string => id.replaceAll('%', '%25').replaceAll('\u0000', '%00')
const decode = (k: string): string => k.replace(/%(25|00)/g, (_m, hex: string) => hex === '25' ? '%' : '\u0000')
/** The version of a row memory may hold an older value of: a commit naming it is always refused. */
const STALE = -1
const keyOf = (table: string, id: string): string => `${table}\u0000${id}`

/** The natural key a new record must not share with another of its table. */
function uniqueKey (table: string, value: unknown): string | null {
  const v = value as Record<string, string>
  if (table === 'payments') return encode(`${v.merchant_id}\u0000${v.merchant_order_id}`)
  if (table === 'refunds') return encode(`${v.merchant_id}\u0000${v.merchant_refund_id}`)
  return null
}

export interface PostgresStoreOptions {
  /** postgres://… (a search_path in its options picks the schema, made when missing). */
  url: string
  /** Real ms between two reports of how far this gateway read the feed, each followed by a try at pruning it (feed.ts); Infinity: only when asked (prune()). */
  pruneEveryMs?: number
  /** Real ms after which feed rows go even if a gateway has not read them (it reloads everything). */
  feedHorizonMs?: number
}

export class PostgresStore implements StorePort {
  readonly shared = true
  /** The request journal of every gateway on the database. */
  readonly journal: PostgresJournal
  readonly #url: string
  #client: Promise<pg.Client> | undefined
  /** Version of each row as this gateway last saw it. */
  readonly #versions = new Map<string, number>()
  /**
   * Rows this gateway saw deleted → a seq at or after their deletion's. Once the feed's floor is
   * past it, the tombstone is gone from the database (feed.ts) and its version is forgotten: the
   * next commit making that id again expects no row, as it must. Without it the versions of every
   * record ever deleted (each task run) stay in memory, and such a commit is refused once.
   */
  readonly #deletedAt = new Map<string, number>()
  /** Version a row will have once the commits queued are stored, and the last commit that changes it. */
  readonly #pending = new Map<string, { version: number, commit: number }>()
  /** Feed entries of this gateway's own commits, skipped when catching up. */
  readonly #own = new Set<number>()
  /** Rows a refused commit touched: read again at the next catch-up, since memory may be behind them. */
  readonly #dirty = new Set<string>()
  #refusing: Error | undefined
  #lastSeq = 0
  #commitNo = 0
  #queued: Queued[] = []
  #tail: Promise<unknown> = Promise.resolve()
  #closed = false
  readonly #replica = randomUUID()
  readonly #pruneEveryMs: number
  readonly #horizonMs: number
  #lastPrune = performance.now()

  constructor (options: PostgresStoreOptions) {
    this.#url = options.url
    this.journal = new PostgresJournal(options.url)
    this.#pruneEveryMs = options.pruneEveryMs ?? PRUNE_EVERY_MS
    this.#horizonMs = options.feedHorizonMs ?? FEED_HORIZON_MS
  }

  async open (): Promise<Snapshot> {
    const client = await this.#connection()
    await migrate(client)
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    try {
      const rows = (await client.query<Row>('SELECT tbl, id, value, version FROM paylab_rows ORDER BY born')).rows
      const seq = (await client.query<{ seq: string }>('SELECT greatest((SELECT coalesce(max(seq), 0) FROM paylab_changes), (SELECT floor FROM paylab_feed_floor)) AS seq')).rows[0]?.seq ?? '0'
      await client.query('COMMIT')
      this.#lastSeq = Number(seq)
      // Waited for from now on: the feed past this point is kept until this gateway has read it.
      await report(client, this.#replica, this.#lastSeq)
      const tables: Record<string, unknown[]> = {}
      for (const row of rows) {
        const id = decode(row.id)
        this.#versions.set(keyOf(row.tbl, id), row.version)
        if (row.value !== null) (tables[row.tbl] ??= []).push(JSON.parse(row.value))
        else this.#deletedAt.set(keyOf(row.tbl, id), this.#lastSeq)
      }
      return tables
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    }
  }

  append (changes: Change[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve()
    if (this.#refusing !== undefined) return Promise.reject(this.#refusing)
    const commit = ++this.#commitNo
    const finals = new Map<string, number>()
    const gone = new Set<string>()
    const items = changes.map((c) => {
      const key = keyOf(c.table, c.id)
      const expected = this.#pending.get(key)?.version ?? this.#versions.get(key) ?? 0
      const deleted = 'deleted' in c
      this.#pending.set(key, { version: expected + 1, commit })
      finals.set(key, expected + 1)
      if (deleted) gone.add(key)
      else gone.delete(key)
      return { t: c.table, k: encode(c.id), u: deleted ? null : uniqueKey(c.table, c.value), v: deleted ? null : JSON.stringify(c.value), e: expected }
    })
    let resolve!: () => void
    let reject!: (e: unknown) => void
    const done = new Promise<void>((res, rej) => { resolve = res; reject = rej })
    const entry: Queued = { batch: JSON.stringify(items), keys: [...finals.keys()], finals, deleted: gone, commit, resolve, reject }
    this.#queued.push(entry)
    void this.#serial(() => this.#write(entry))
    return done
  }

  async #write (entry: Queued): Promise<void> {
    if (this.#queued[0] !== entry) return // refused with an earlier one
    try {
      const client = await this.#connection()
      const result = await client.query<{ seqs: string[] | null }>('SELECT paylab_apply($1) AS seqs', [entry.batch])
      this.#queued.shift()
      let last = 0
      for (const seq of result.rows[0]?.seqs ?? []) this.#own.add(last = Number(seq))
      for (const [key, version] of entry.finals) {
        this.#versions.set(key, version)
        if (entry.deleted.has(key)) this.#deletedAt.set(key, last)
        else this.#deletedAt.delete(key)
        if (this.#pending.get(key)?.commit === entry.commit) this.#pending.delete(key)
      }
      entry.resolve()
    } catch (err) {
      // Not the server's answer (a lost connection): the next operation connects again.
      if (!Object.hasOwn(err as object, 'severity')) this.#drop()
      const code = (err as { code?: string }).code ?? ''
      const failure = CONFLICT_CODES.has(code)
        ? code === 'PY409' ? new StoreConflict((err as Error).message, (err as { detail?: string }).detail, decodeHint(err)) : new StoreConflict((err as Error).message)
        : err
      // Every commit queued after it may rest on it: none is written. The rows they touched are
      // undone in memory, to values that may be older than the database's (a catch-up applied a
      // newer one before the undo): until the next catch-up reads them again, a commit that
      // changes one of them names a version no row has, and is refused too.
      const refused = this.#queued.splice(0)
      this.#pending.clear()
      for (const q of refused) {
        for (const key of q.keys) {
          this.#dirty.add(key)
          this.#versions.set(key, STALE)
        }
      }
      const later = failure instanceof StoreConflict ? new StoreConflict('an earlier commit of this gateway was refused') : failure as Error
      entry.reject(failure)
      for (const q of refused.slice(1)) q.reject(later)
      // Commits made before the engine has undone the refused ones (it does on hearing of it) may
      // rest on them: refused too, until the next turn of the event loop.
      this.#refusing = later
      setImmediate(() => { if (this.#refusing === later) this.#refusing = undefined })
    }
  }

  catchUp (): Promise<Change[]> {
    const pulled = this.#serial(() => this.#pull())
    if (performance.now() - this.#lastPrune >= this.#pruneEveryMs) void this.prune().catch(() => {})
    return pulled
  }

  /** Reports how far this gateway read the feed, and prunes it unless another gateway is (feed.ts). */
  prune (horizonMs = this.#horizonMs): Promise<Pruned> {
    this.#lastPrune = performance.now()
    return this.#serial(async () => {
      try {
        const client = await this.#connection()
        const pruned = await pruneFeed(client, this.#replica, this.#lastSeq, horizonMs)
        this.#forget(Number((await client.query<{ floor: string }>('SELECT floor FROM paylab_feed_floor')).rows[0]?.floor ?? 0))
        return pruned
      } catch (err) {
        if (!Object.hasOwn(err as object, 'severity')) this.#drop()
        throw err
      }
    })
  }

  /** The versions of deletions the feed's floor has passed: their tombstones are gone. */
  #forget (floor: number): void {
    for (const [key, seq] of this.#deletedAt) {
      // A commit queued on it names the version already; its outcome sets the version again.
      if (seq > floor || this.#pending.has(key)) continue
      this.#deletedAt.delete(key)
      if (this.#versions.get(key) !== STALE) this.#versions.delete(key)
    }
  }

  /** How many rows this gateway keeps a version of: live ones, and deletions the feed still holds. */
  get versionsKept (): number { return this.#versions.size }

  async #pull (): Promise<Change[]> {
    try {
      return await this.#read(await this.#connection())
    } catch (err) {
      if (!Object.hasOwn(err as object, 'severity')) this.#drop()
      throw err
    }
  }

  #drop (): void {
    const client = this.#client
    this.#client = undefined
    void client?.then((c) => c.end()).catch(() => {})
  }

  async #read (client: pg.Client): Promise<Change[]> {
    const dirty = [...this.#dirty]
    let feed: FeedRow[]
    let current: Row[] = []
    // The feed's floor comes along (a row without tbl) when it is past what this gateway read.
    const query = `SELECT seq, tbl, id, value, version FROM paylab_changes WHERE seq > $1
      UNION ALL SELECT floor, NULL, NULL, NULL, 0 FROM paylab_feed_floor WHERE floor > $1 ORDER BY seq`
    if (dirty.length === 0) {
      feed = (await client.query<FeedRow>(query, [this.#lastSeq])).rows
    } else {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      try {
        feed = (await client.query<FeedRow>(query, [this.#lastSeq])).rows
        const tbls = dirty.map((k) => k.slice(0, k.indexOf('\u0000')))
        const ids = dirty.map((k) => encode(k.slice(k.indexOf('\u0000') + 1)))
        current = (await client.query<Row>('SELECT tbl, id, value, version FROM paylab_rows WHERE (tbl, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))', [tbls, ids])).rows
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      }
    }
    if (feed.some((row) => (row.tbl as string | null) === null)) return await this.#reload(client)
    const changes: Change[] = []
    for (const row of feed) {
      const seq = Number(row.seq)
      this.#lastSeq = seq
      if (this.#own.delete(seq)) continue
      changes.push(this.#seen(row, seq))
    }
    if (dirty.length > 0) {
      const found = new Map(current.map((r) => [keyOf(r.tbl, decode(r.id)), r]))
      for (const key of dirty) {
        const row = found.get(key)
        const at = key.indexOf('\u0000')
        changes.push(this.#seen(row ?? { tbl: key.slice(0, at), id: encode(key.slice(at + 1)), value: null, version: 0 }, this.#lastSeq))
        this.#dirty.delete(key)
      }
    }
    return changes
  }

  /**
   * The feed was pruned past what this gateway read: every row is read again, and what changed
   * since this gateway saw it (another version, or gone) is the change to apply.
   */
  async #reload (client: pg.Client): Promise<Change[]> {
    let rows: Row[]
    let seq: string
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    try {
      rows = (await client.query<Row>('SELECT tbl, id, value, version FROM paylab_rows ORDER BY born')).rows
      seq = (await client.query<{ seq: string }>('SELECT greatest((SELECT coalesce(max(seq), 0) FROM paylab_changes), (SELECT floor FROM paylab_feed_floor)) AS seq')).rows[0]?.seq ?? '0'
      await client.query('COMMIT')
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    }
    this.#lastSeq = Number(seq)
    this.#own.clear()
    this.#dirty.clear()
    const changes: Change[] = []
    const found = new Set<string>()
    for (const row of rows) {
      const key = keyOf(row.tbl, decode(row.id))
      found.add(key)
      if (this.#versions.get(key) !== row.version) changes.push(this.#seen(row, this.#lastSeq))
      else if (row.value === null) this.#deletedAt.set(key, this.#lastSeq)
    }
    for (const key of [...this.#versions.keys()]) {
      if (found.has(key)) continue
      const at = key.indexOf('\u0000')
      changes.push(this.#seen({ tbl: key.slice(0, at), id: encode(key.slice(at + 1)), value: null, version: 0 }, this.#lastSeq))
    }
    return changes
  }

  /** A row as another gateway left it (as of feed seq `seq` or later): its version noted, as the change to apply. */
  #seen (row: Row, seq: number): Change {
    const id = decode(row.id)
    const table = row.tbl as TableName
    const key = keyOf(table, id)
    // A row never made (a dirty one that is not there): version 0, the next change creates it.
    if (row.version === 0) this.#versions.delete(key)
    else this.#versions.set(key, row.version)
    if (row.value === null && row.version !== 0) this.#deletedAt.set(key, seq)
    else this.#deletedAt.delete(key)
    if (row.value === null) return { table, id, deleted: true }
    return { table, id, value: JSON.parse(row.value) }
  }

  async close (): Promise<void> {
    // Nothing connects again once closed (a late commit of a notification attempt is refused).
    this.#closed = true
    await this.journal.close()
    await this.#tail.catch(() => {})
    const open = await this.#client?.catch(() => undefined)
    if (open !== undefined) await leave(open, this.#replica).catch(() => {})
    const client = this.#client
    this.#client = undefined
    if (client !== undefined) await (await client.catch(() => undefined))?.end().catch(() => {})
  }

  /** One operation at a time on the connection, in the order asked. */
  #serial<T> (task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task)
    this.#tail = run.catch(() => {})
    return run
  }

  /** The connection, made again after one is lost (the next operation reconnects). */
  #connection (): Promise<pg.Client> {
    if (this.#closed && this.#client === undefined) return Promise.reject(new Error('the store is closed'))
    if (this.#client === undefined) {
      const client = new pg.Client({ connectionString: this.#url })
      const connecting = client.connect().then(() => client)
      client.on('error', () => { if (this.#client === connecting) this.#client = undefined })
      connecting.catch(() => { if (this.#client === connecting) this.#client = undefined })
      this.#client = connecting
    }
    return this.#client
  }
}

function decodeHint (err: unknown): string | undefined {
  const hint = (err as { hint?: string }).hint
  return hint === undefined ? undefined : decode(hint)
}
