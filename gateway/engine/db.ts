// The engine's in-memory tables and their indexes. Every change is queued and handed to the
// store on commit(), which resolves once the store says the change is durable. Lookups never
// scan: each query the API offers has an index, so a request costs the same with 10 or 10^6
// payments stored.
import { TABLE_NAMES, type Payment, type Refund, type TableName, type Tables } from './types.js'

export type Change = { table: TableName, id: string, value: unknown } | { table: TableName, id: string, deleted: true }
export type Snapshot = { [K in TableName]?: Array<Tables[K]> }

/** The port a storage adapter implements (see gateway/store/). */
export interface StorePort {
  /** Reads what was stored; `snapshot` lets the store compact by asking for the current state. */
  open (snapshot: () => Snapshot): Promise<Snapshot>
  /** Persists changes; resolves when they are durable. */
  append (changes: Change[]): Promise<void>
  close (): Promise<void>
}

type TableMaps = { [K in TableName]: Map<string, Tables[K]> }

export class Db {
  readonly tables: TableMaps
  readonly #store: StorePort
  #pending: Change[] = []
  #lastAppend: Promise<void> = Promise.resolve()
  /** `${merchant}\u0000${merchant_order_id}` → payment id */
  readonly #paymentByOrder = new Map<string, string>()
  /** merchant → payment ids in creation order, with each id's position for cursor paging. */
  readonly #paymentsOfMerchant = new Map<string, { ids: string[], pos: Map<string, number> }>()
  readonly #refundByMerchantRef = new Map<string, string>()
  readonly #refundsOfPayment = new Map<string, string[]>()

  private constructor (store: StorePort) {
    this.#store = store
    this.tables = Object.fromEntries(TABLE_NAMES.map((t) => [t, new Map()])) as unknown as TableMaps
  }

  static async open (store: StorePort): Promise<Db> {
    const db = new Db(store)
    const loaded = await store.open(() => db.snapshot())
    for (const table of TABLE_NAMES) {
      for (const rec of loaded[table] ?? []) db.#set(table, rec)
    }
    return db
  }

  get<K extends TableName> (table: K, id: string): Tables[K] | undefined {
    return this.tables[table].get(id)
  }

  put<K extends TableName> (table: K, id: string, value: Tables[K]): Tables[K] {
    this.#set(table, value, id)
    this.#pending.push({ table, id, value })
    return value
  }

  delete (table: TableName, id: string): void {
    if (!this.tables[table].delete(id)) return
    this.#pending.push({ table, id, deleted: true })
  }

  /** Hands every queued change to the store; resolves when they are durable. */
  commit (): Promise<void> {
    // A request that changed nothing may still have read another request's write that is not yet
    // durable (a repeated order): its answer waits for that write too. Stores resolve in order.
    if (this.#pending.length === 0) return this.#lastAppend
    const changes = this.#pending
    this.#pending = []
    const done = this.#store.append(changes)
    this.#lastAppend = done.catch(() => {})
    return done
  }

  close (): Promise<void> {
    return this.commit().then(() => this.#store.close())
  }

  snapshot (): Snapshot {
    return Object.fromEntries(TABLE_NAMES.map((t) => [t, [...this.tables[t].values()]]))
  }

  paymentIdByOrder (merchantId: string, merchantOrderId: string): string | undefined {
    return this.#paymentByOrder.get(`${merchantId}\u0000${merchantOrderId}`)
  }

  refundIdByMerchantRef (merchantId: string, merchantRefundId: string): string | undefined {
    return this.#refundByMerchantRef.get(`${merchantId}\u0000${merchantRefundId}`)
  }

  refundIdsOfPayment (paymentId: string): readonly string[] {
    return this.#refundsOfPayment.get(paymentId) ?? []
  }

  /**
   * A page of a merchant's payments, newest first, after the cursor id. Returns undefined when
   * the cursor is not one of the merchant's payments.
   */
  pageOfPayments (merchantId: string, limit: number, startingAfter?: string): { ids: string[], hasMore: boolean } | undefined {
    const list = this.#paymentsOfMerchant.get(merchantId) ?? { ids: [], pos: new Map<string, number>() }
    let end = list.ids.length // exclusive; walking backwards from here gives newest first
    if (startingAfter !== undefined) {
      const at = list.pos.get(startingAfter)
      if (at === undefined) return undefined
      end = at
    }
    const start = Math.max(0, end - limit)
    return { ids: list.ids.slice(start, end).reverse(), hasMore: start > 0 }
  }

  /** A merchant's payments created in [from, to) (ISO times), oldest first, by binary search. */
  paymentIdsCreatedIn (merchantId: string, from: string, to: string): string[] {
    const ids = this.#paymentsOfMerchant.get(merchantId)?.ids ?? []
    const created = (i: number) => (this.tables.payments.get(ids[i] as string) as Payment).created_at
    const lowerBound = (t: string) => {
      let lo = 0
      let hi = ids.length
      while (lo < hi) { const mid = (lo + hi) >> 1; if (created(mid) < t) lo = mid + 1; else hi = mid }
      return lo
    }
    return ids.slice(lowerBound(from), lowerBound(to))
  }

  #set<K extends TableName> (table: K, value: Tables[K], id = (value as { id: string }).id): void {
    const map = this.tables[table]
    const isNew = !map.has(id)
    map.set(id, value)
    if (!isNew) return
    if (table === 'payments') {
      const p = value as Payment
      this.#paymentByOrder.set(`${p.merchant_id}\u0000${p.merchant_order_id}`, p.id)
      let list = this.#paymentsOfMerchant.get(p.merchant_id)
      if (list === undefined) this.#paymentsOfMerchant.set(p.merchant_id, list = { ids: [], pos: new Map() })
      list.pos.set(p.id, list.ids.length)
      list.ids.push(p.id)
    } else if (table === 'refunds') {
      const r = value as Refund
      this.#refundByMerchantRef.set(`${r.merchant_id}\u0000${r.merchant_refund_id}`, r.id)
      const ids = this.#refundsOfPayment.get(r.payment_id)
      if (ids === undefined) this.#refundsOfPayment.set(r.payment_id, [r.id])
      else ids.push(r.id)
    }
  }
}
