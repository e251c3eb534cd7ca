// The Db's indexes: each lookup the API offers without a scan (an order id, a refund's own
// reference, a merchant's payments in creation order for cursor paging and statements). They are
// keyed by fields a record never changes, so a record is indexed when it is first put and
// unindexed only when the change that created it is undone.
import type { Payment, Refund, TableName } from './types.js'

export class Indexes {
  /** merchant → merchant_order_id → payment id (keyed by the records' own strings: no joined key per payment) */
  readonly #paymentByOrder = new Map<string, Map<string, string>>()
  /** merchant → payment ids in creation order, with each id's position for cursor paging. */
  readonly #paymentsOfMerchant = new Map<string, { ids: string[], pos: Map<string, number> }>()
  readonly #refundByMerchantRef = new Map<string, string>()
  readonly #refundsOfPayment = new Map<string, string[]>()

  /** A record put for the first time. */
  add (table: TableName, value: unknown): void {
    if (table === 'payments') {
      const p = value as Payment
      let orders = this.#paymentByOrder.get(p.merchant_id)
      if (orders === undefined) this.#paymentByOrder.set(p.merchant_id, orders = new Map<string, string>())
      orders.set(p.merchant_order_id, p.id)
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

  /** A record removed (the change that created it undone, or deleted by another gateway). */
  remove (table: TableName, record: unknown, id: string): void {
    if (table === 'payments') {
      const p = record as Payment
      const orders = this.#paymentByOrder.get(p.merchant_id)
      if (orders?.get(p.merchant_order_id) === id) orders.delete(p.merchant_order_id)
      const list = this.#paymentsOfMerchant.get(p.merchant_id)
      const at = list?.pos.get(id)
      if (list !== undefined && at !== undefined) {
        list.ids.splice(at, 1)
        list.pos.delete(id)
        for (let i = at; i < list.ids.length; i++) list.pos.set(list.ids[i] as string, i)
      }
    } else if (table === 'refunds') {
      const r = record as Refund
      const ref = `${r.merchant_id}\u0000${r.merchant_refund_id}`
      if (this.#refundByMerchantRef.get(ref) === id) this.#refundByMerchantRef.delete(ref)
      const ids = this.#refundsOfPayment.get(r.payment_id)
      const at = ids?.indexOf(id) ?? -1
      if (ids !== undefined && at >= 0) ids.splice(at, 1)
    }
  }

  paymentIdByOrder (merchantId: string, merchantOrderId: string): string | undefined {
    return this.#paymentByOrder.get(merchantId)?.get(merchantOrderId)
  }

  refundIdByMerchantRef (merchantId: string, merchantRefundId: string): string | undefined {
    return this.#refundByMerchantRef.get(`${merchantId}\u0000${merchantRefundId}`)
  }

  refundIdsOfPayment (paymentId: string): readonly string[] {
    return this.#refundsOfPayment.get(paymentId) ?? []
  }

  /** See Db.pageOfPayments. */
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

  /** See Db.paymentIdsCreatedIn; `createdAt` reads a payment's created_at (ids are in creation order). */
  paymentIdsCreatedIn (merchantId: string, from: string, to: string, createdAt: (id: string) => string): string[] {
    const ids = this.#paymentsOfMerchant.get(merchantId)?.ids ?? []
    const created = (i: number): string => createdAt(ids[i] as string)
    const lowerBound = (t: string): number => {
      let lo = 0
      let hi = ids.length
      while (lo < hi) { const mid = (lo + hi) >> 1; if (created(mid) < t) lo = mid + 1; else hi = mid }
      return lo
    }
    return ids.slice(lowerBound(from), lowerBound(to))
  }
}
