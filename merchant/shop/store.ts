// The shop's own store (lowdb): one small JSON file per order, so saving an order rewrites that
// order only, however many there are. All orders are read into memory when the shop starts.
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Low, Memory, type Adapter } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import type { Order } from './orders.js'

export class OrderStore {
  readonly #orders = new Map<string, Low<Order | null>>()
  readonly #byPayment = new Map<string, string>()
  readonly #locks = new Map<string, Promise<void>>()
  readonly #adapter: (id: string) => Adapter<Order | null>

  private constructor (adapter: (id: string) => Adapter<Order | null>) { this.#adapter = adapter }

  static memory (): OrderStore { return new OrderStore(() => new Memory<Order | null>()) }

  static async open (dir: string): Promise<OrderStore> {
    const ordersDir = join(dir, 'orders')
    await mkdir(ordersDir, { recursive: true })
    const store = new OrderStore((id) => new JSONFile<Order | null>(join(ordersDir, `${id}.json`)))
    for (const file of await readdir(ordersDir)) {
      if (!/^ord_[A-Za-z0-9]+\.json$/.test(file)) continue
      const db = new Low<Order | null>(store.#adapter(file.slice(0, -5)), null)
      await db.read()
      if (db.data !== null) store.#index(db)
    }
    return store
  }

  get (id: string): Order | undefined {
    const data = this.#orders.get(id)?.data
    return data === null || data === undefined ? undefined : structuredClone(data)
  }

  byPayment (paymentId: string): Order | undefined {
    const id = this.#byPayment.get(paymentId)
    return id === undefined ? undefined : this.get(id)
  }

  list (): Order[] {
    return [...this.#orders.values()].map((db) => structuredClone(db.data as Order))
  }

  /**
   * Changes one order under its own lock: concurrent updates (the checkout's answer, a
   * notification, a query) apply one after another, none lost. Resolves once it is written.
   */
  async update (id: string, change: (order: Order) => void | Promise<void>): Promise<Order> {
    const previous = this.#locks.get(id) ?? Promise.resolve()
    const run = previous.then(async () => {
      const order = this.get(id)
      if (order === undefined) throw new Error(`no order ${id}`)
      await change(order)
      await this.save(order)
      return order
    })
    const settled = run.then(() => undefined, () => undefined)
    this.#locks.set(id, settled)
    void settled.then(() => { if (this.#locks.get(id) === settled) this.#locks.delete(id) })
    return await run
  }

  /**
   * Saves an order; resolves once it is written. What readers see changes only after the write
   * succeeded: a failed write throws and leaves the order as it was stored, never ahead of the disk.
   */
  async save (order: Order): Promise<void> {
    const db = this.#orders.get(order.id) ?? new Low<Order | null>(this.#adapter(order.id), null)
    const data = structuredClone(order)
    await db.adapter.write(data)
    db.data = data
    this.#index(db)
  }

  #index (db: Low<Order | null>): void {
    const order = db.data as Order
    this.#orders.set(order.id, db)
    if (order.payment_id !== null) this.#byPayment.set(order.payment_id, order.id)
  }
}
