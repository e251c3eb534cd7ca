// What happened to each payment, in order, for the people watching it (the dashboard's
// timeline): status changes and refunds as the engine announced them. In memory and bounded
// like the journal: a restart or a long run forgets the oldest; the payment itself is the record.
import type { EngineEvent } from './context.js'
import type { PaymentStatus } from './types.js'

export interface Change {
  time: string
  payment_id: string
  kind: 'status' | 'refund'
  /** For a status change: the statuses before and after. */
  from: PaymentStatus | null
  to: PaymentStatus | null
  /** For a refund: its id, amount and result. */
  refund: { id: string, amount: number, status: string } | null
}

export class History {
  readonly #capacity: number
  readonly #byPayment = new Map<string, Change[]>()
  /**
   * Payment ids in the order first seen, oldest at #head. Not the Map's own order: finding its
   * first entry skips every entry deleted before it until the Map is rehashed — ~20 µs per change
   * at 20,000 payments, when each change evicts one.
   */
  #order: string[] = []
  #head = 0
  #size = 0

  constructor (capacity = 20_000) { this.#capacity = capacity }

  record (event: EngineEvent, time: string): void {
    const change: Change = event.type === 'payment.changed'
      ? { time, payment_id: event.payment.id, kind: 'status', from: event.previous, to: event.payment.status, refund: null }
      : { time, payment_id: event.payment.id, kind: 'refund', from: null, to: null, refund: { id: event.refund.id, amount: event.refund.amount, status: event.refund.status } }
    const list = this.#byPayment.get(change.payment_id)
    if (list === undefined) {
      this.#byPayment.set(change.payment_id, [change])
      this.#order.push(change.payment_id)
    } else list.push(change)
    // The payment first seen longest ago goes first.
    if (++this.#size > this.#capacity) {
      const oldest = this.#order[this.#head] as string
      this.#size -= (this.#byPayment.get(oldest) as Change[]).length
      this.#byPayment.delete(oldest)
      this.#head++
      if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
        this.#order = this.#order.slice(this.#head)
        this.#head = 0
      }
    }
  }

  of (paymentId: string): Change[] { return [...(this.#byPayment.get(paymentId) ?? [])] }
}
