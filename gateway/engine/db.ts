// The engine's in-memory tables and their indexes. Every change is queued and handed to the
// store on commit(), which resolves once the store says the change is durable. Lookups never
// scan: each query the API offers has an index, so a request costs the same with 10 or 10^6
// payments stored (the indexes: db-indexes.ts).
//
// A change is visible in the tables as soon as it is made, so each one keeps what it replaced
// until the store has it. When the store fails to write a commit (a full disk), that commit and
// every later one not yet durable are undone, newest first: what the tables hold is again what
// the store holds, and the requests that made or read those changes fail with
// PAYLAB_STORAGE_UNAVAILABLE instead of answering with something that was never stored.
//
// A shared store (PostgreSQL, several gateways on one database) also hands over what the other
// gateways changed (catchUp), applied here as they did it, and refuses a commit that conflicts with
// theirs (StoreConflict): it is undone like a failed one, and the engine runs it again.
import { STORAGE_UNAVAILABLE } from './errors.js'
import type { SharedJournal } from './journal.js'
import { readStored, revive, Shared, storedRows, type Lookup } from './records.js'
import { Indexes } from './db-indexes.js'
import { StoreConflict } from './store-conflict.js'
import { TABLE_NAMES, type Payment, type TableName, type Tables } from './types.js'

/** A record read from a store's snapshot → the record to keep; `lookup` finds the snapshot's records read before it. */
export type ReadRecord = (table: TableName, record: unknown, lookup: (table: TableName, id: string) => unknown) => unknown

/**
 * `text`, when set, is JSON.stringify(value) made already (the body of the answer that returns the
 * record): a store writes it instead of serializing the record again.
 */
export type Change = { table: TableName, id: string, value: unknown, text?: string } | { table: TableName, id: string, deleted: true }
export type Snapshot = { [K in TableName]?: Array<Tables[K]> }

/**
 * The text a store's file keeps for a record: JSON.stringify, unless the record makes its own
 * (`storedText`, a form that Db.open reads back to the same record: see idempotency.ts).
 */
export function recordText (value: unknown): string {
  const own = (value as { storedText?: () => string } | null)?.storedText
  return typeof own === 'function' ? own.call(value) : JSON.stringify(value)
}

/** The port a storage adapter implements (see gateway/store/). */
export interface StorePort {
  /**
   * Reads what was stored; `snapshot` lets the store compact by asking for the current state, its
   * records as a snapshot writes them (JSON.stringify, which may leave a repeated value out: see
   * records.ts). A store that writes such snapshots hands each record it reads from one to `read`,
   * and keeps what it returns: the record whole again, before any later change is applied to it.
   */
  open (snapshot: () => Snapshot, read?: ReadRecord): Promise<Snapshot>
  /**
   * Persists changes; resolves when they are durable. Appends are written in order, and when one
   * fails, every append made before the failure is reported fails too (none of them is stored).
   */
  append (changes: Change[]): Promise<void>
  close (): Promise<void>
  /** A shared store: other processes write to it too. */
  readonly shared?: boolean
  /** A shared store: what other processes committed since the last call, in their order. */
  catchUp? (): Promise<Change[]>
  /** A shared store: the request journal of every gateway on it. */
  readonly journal?: SharedJournal
}

type TableMaps = { [K in TableName]: Map<string, Tables[K]> }

/** What a change replaced: enough to undo it. */
interface Undo { table: TableName, id: string, had: boolean, previous: unknown }
/** A commit the store has not confirmed yet. */
interface Unconfirmed { undo: Undo[], done: Promise<void> }

/** Seconds a client is told to wait (Retry-After) before retrying a write the store refused. */
export const STORAGE_RETRY_AFTER_SEC = 5

export class Db {
  readonly tables: TableMaps
  readonly #store: StorePort
  #pending: Change[] = []
  #pendingUndo: Undo[] = []
  /** Commits handed to the store and not yet confirmed, oldest first. */
  #unconfirmed: Unconfirmed[] = []
  #restored: Array<(table: TableName, id: string, value: unknown) => void> = []
  #remote: Array<(table: TableName, id: string, value: unknown) => void> = []
  /** The catch-up under way, and the one that follows it for those who arrived meanwhile. */
  #catching: Promise<void> | undefined
  #nextCatchUp: Promise<void> | undefined
  readonly #indexes = new Indexes()

  private constructor (store: StorePort) {
    this.#store = store
    this.tables = Object.fromEntries(TABLE_NAMES.map((t) => [t, new Map()])) as unknown as TableMaps
  }

  static async open (store: StorePort): Promise<Db> {
    const db = new Db(store)
    // Values a record repeats from another (an event's payment) become shared: see records.ts.
    const shared = new Shared()
    const loaded = await store.open(() => db.#storedSnapshot(), (table, record, found) => revive(table, readStored(table, record, found), found as Lookup, shared))
    const lookup = (table: 'payments' | 'refunds', id: string) => db.tables[table].get(id)
    for (const table of TABLE_NAMES) {
      for (const rec of loaded[table] ?? []) db.#set(table, revive(table, rec, lookup, shared) as Tables[typeof table])
    }
    return db
  }

  get<K extends TableName> (table: K, id: string): Tables[K] | undefined {
    return this.tables[table].get(id)
  }

  put<K extends TableName> (table: K, id: string, value: Tables[K]): Tables[K] {
    const map = this.tables[table]
    this.#pendingUndo.push({ table, id, had: map.has(id), previous: map.get(id) })
    this.#set(table, value, id)
    this.#pending.push({ table, id, value })
    return value
  }

  /**
   * `text` is JSON.stringify(value), made already (an answer's body), of a record put in the commit
   * under way: the store writes it as it is. (Records are never changed once put.)
   */
  serialized (value: object, text: string): void {
    const pending = this.#pending
    for (let i = pending.length - 1; i >= 0; i--) {
      const change = pending[i] as Change
      if ('value' in change && change.value === value) { change.text = text; return }
    }
  }

  delete (table: TableName, id: string): void {
    const map = this.tables[table]
    const previous = map.get(id)
    if (!map.delete(id)) return
    this.#pendingUndo.push({ table, id, had: true, previous })
    this.#pending.push({ table, id, deleted: true })
  }

  /** Calls `listener` with each record an undone change puts back (the scheduler re-queues tasks). */
  onRestored (listener: (table: TableName, id: string, value: unknown) => void): void {
    this.#restored.push(listener)
  }

  /** Calls `listener` with each record another gateway changed (undefined: deleted), once applied. */
  onRemote (listener: (table: TableName, id: string, value: unknown) => void): void {
    this.#remote.push(listener)
  }

  /** Whether other gateways share the store. */
  get shared (): boolean { return this.#store.shared === true }

  /** The journal the gateways of a shared store keep together; undefined when the store is this process's. */
  get sharedJournal (): SharedJournal | undefined { return this.#store.journal }

  /**
   * Applies what other gateways committed since the last call; undefined (nothing to wait for)
   * when the store is this process's alone. A caller gets a catch-up that started after it asked:
   * a write another gateway answered before that is then in the tables.
   */
  catchUp (): Promise<void> | undefined {
    const store = this.#store
    if (store.catchUp === undefined) return undefined
    if (this.#catching === undefined) {
      const run = store.catchUp().then((changes) => { this.#applyRemote(changes) }, (err: unknown) => { throw storageUnavailable(err) })
      this.#catching = run.finally(() => { this.#catching = undefined })
      return this.#catching
    }
    this.#nextCatchUp ??= this.#catching.catch(() => {}).then(() => {
      this.#nextCatchUp = undefined
      return this.catchUp()
    })
    return this.#nextCatchUp
  }

  #applyRemote (changes: Change[]): void {
    for (const change of changes) {
      const { table, id } = change
      if ('deleted' in change) {
        if (!this.tables[table].has(id)) continue
        this.#unset(table, id)
        for (const listener of this.#remote) listener(table, id, undefined)
      } else {
        this.#set(table, change.value as Tables[typeof table], id)
        for (const listener of this.#remote) listener(table, id, change.value)
      }
    }
  }

  /**
   * Hands every queued change to the store; resolves when they are durable, rejects with
   * PAYLAB_STORAGE_UNAVAILABLE (and the changes undone) when the store could not write them.
   */
  commit (): Promise<void> {
    // A request that changed nothing may still have read another request's write that is not yet
    // durable (a repeated order): its answer waits for that write too, and fails with it. Once
    // every write is confirmed or undone there is nothing to wait for: a failure is never handed
    // on to a later request.
    if (this.#pending.length === 0) return this.#unconfirmed.at(-1)?.done ?? Promise.resolve()
    const changes = this.#pending
    const entry: Unconfirmed = { undo: this.#pendingUndo, done: Promise.resolve() }
    this.#pending = []
    this.#pendingUndo = []
    entry.done = this.#store.append(changes).then(() => {
      // Stores confirm in order: this is the oldest unconfirmed commit.
      const at = this.#unconfirmed.indexOf(entry)
      if (at >= 0) this.#unconfirmed.splice(at, 1)
    }, (err: unknown) => {
      this.#undo(entry, err instanceof StoreConflict && err.table === 'nonces' ? err.id : undefined)
      throw err instanceof StoreConflict ? err : storageUnavailable(err)
    })
    this.#unconfirmed.push(entry)
    // Callers that do not wait (the scheduler's commits) must not leave an unhandled rejection.
    entry.done.catch(() => {})
    return entry.done
  }

  /** Resolves once every commit handed to the store so far is confirmed or undone (never rejects). */
  settled (): Promise<void> {
    return Promise.allSettled(this.#unconfirmed.map((u) => u.done)).then(() => undefined)
  }

  async close (): Promise<void> {
    // What is still pending was never acknowledged (a refused request's nonce, say): a store that
    // cannot take it now does not keep the store from closing.
    await this.commit().catch(() => {})
    await this.#store.close()
  }

  /**
   * Undoes `from` and every later unconfirmed commit, newest change first. `takenNonce`: a nonce
   * another gateway stored first; it is not this gateway's to store.
   */
  #undo (from: Unconfirmed, takenNonce?: string): void {
    const at = this.#unconfirmed.indexOf(from)
    if (at < 0) return // undone already, with an earlier one
    const undone = this.#unconfirmed.splice(at)
    // Changes made since and not yet committed are a request's nonce (see auth.ts), made before
    // its operation, and touch no record these changes touch: they stay. A new nonce stays too,
    // and goes with the next commit: a commit may carry the nonce of a request that is still
    // under way, and that request's own commit must store it.
    const nonces: string[] = []
    for (let c = undone.length - 1; c >= 0; c--) {
      const { undo } = undone[c] as Unconfirmed
      for (let i = undo.length - 1; i >= 0; i--) {
        const u = undo[i] as Undo
        if (u.table === 'nonces' && !u.had) nonces.push(u.id)
        else this.#restore(u)
      }
    }
    for (const id of nonces) {
      if (id === takenNonce) { this.tables.nonces.delete(id); continue }
      const value = this.tables.nonces.get(id)
      if (value === undefined) continue
      this.#pending.push({ table: 'nonces', id, value })
      this.#pendingUndo.push({ table: 'nonces', id, had: false, previous: undefined })
    }
  }

  #restore ({ table, id, had, previous }: Undo): void {
    const map = this.tables[table] as Map<string, unknown>
    if (!had) { this.#unset(table, id); return }
    // The id was there before: the indexes (keyed by fields a record never changes) still hold it.
    map.set(id, previous)
    for (const listener of this.#restored) listener(table, id, previous)
  }

  /** Removes a record a change created, and its place in the indexes. */
  #unset (table: TableName, id: string): void {
    const record = this.tables[table].get(id)
    this.tables[table].delete(id)
    if (record !== undefined) this.#indexes.remove(table, record, id)
  }

  snapshot (): Snapshot {
    return Object.fromEntries(TABLE_NAMES.map((t) => [t, [...this.tables[t].values()]]))
  }

  /** The state as a store's snapshot writes it (records.ts). */
  #storedSnapshot (): Snapshot {
    return Object.fromEntries(TABLE_NAMES.map((t) => [t, storedRows(t, [...this.tables[t].values()], this.tables.payments)]))
  }

  paymentIdByOrder (merchantId: string, merchantOrderId: string): string | undefined {
    return this.#indexes.paymentIdByOrder(merchantId, merchantOrderId)
  }

  refundIdByMerchantRef (merchantId: string, merchantRefundId: string): string | undefined {
    return this.#indexes.refundIdByMerchantRef(merchantId, merchantRefundId)
  }

  refundIdsOfPayment (paymentId: string): readonly string[] {
    return this.#indexes.refundIdsOfPayment(paymentId)
  }

  /**
   * A page of a merchant's payments, newest first, after the cursor id. Returns undefined when
   * the cursor is not one of the merchant's payments.
   */
  pageOfPayments (merchantId: string, limit: number, startingAfter?: string): { ids: string[], hasMore: boolean } | undefined {
    return this.#indexes.pageOfPayments(merchantId, limit, startingAfter)
  }

  /** A merchant's payments created in [from, to) (ISO times), oldest first, by binary search. */
  paymentIdsCreatedIn (merchantId: string, from: string, to: string): string[] {
    return this.#indexes.paymentIdsCreatedIn(merchantId, from, to, (id) => (this.tables.payments.get(id) as Payment).created_at)
  }

  #set<K extends TableName> (table: K, value: Tables[K], id = (value as { id: string }).id): void {
    const map = this.tables[table]
    const isNew = !map.has(id)
    map.set(id, value)
    if (isNew) this.#indexes.add(table, value)
  }
}

function storageUnavailable (err: unknown): Error {
  const { code, fatal } = (err ?? {}) as { code?: string, fatal?: boolean }
  if (fatal === true) return STORAGE_UNAVAILABLE('an fsync of the store failed: whether this request was stored is unknown, and the gateway takes no more writes', { retry_after: STORAGE_RETRY_AFTER_SEC })
  const why = code === 'ENOSPC' ? 'the disk of the data dir is full' : `the store could not write (${code ?? 'error'})`
  return STORAGE_UNAVAILABLE(`${why}; nothing of this request was stored, retry in a moment`, { retry_after: STORAGE_RETRY_AFTER_SEC })
}
