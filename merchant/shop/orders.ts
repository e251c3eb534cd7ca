// The shop's orders and their own state machine, driven by what the gateway reports. Updates
// only move an order forward: a late or repeated report never rolls a paid order back.
import type { Payment, Refund } from '../sdk/index.js'
import { sourceWords } from './words.js'

export type OrderStatus = 'created' | 'pending_payment' | 'paid' | 'payment_failed' | 'closed' | 'partially_refunded' | 'refunded'

export interface OrderItem { product_id: string, name: string, quantity: number, unit_amount: number }

export interface TimelineEntry { at: string, kind: string, text: string }

export interface Order {
  id: string
  status: OrderStatus
  items: OrderItem[]
  amount: number
  currency: string
  method: 'card' | 'wallet' | 'bank_transfer'
  payment_id: string | null
  payment_status: Payment['status'] | null
  payment_updated_at: string | null
  next_action_url: string | null
  failure: { code: string, message: string } | null
  amount_refunded: number
  refunds: Array<Pick<Refund, 'id' | 'merchant_refund_id' | 'amount' | 'status'>>
  /** Notification event ids already applied (duplicates are acknowledged and ignored). */
  applied_events: string[]
  timeline: TimelineEntry[]
  created_at: string
  updated_at: string
}

const RANK: Record<OrderStatus, number> = { created: 0, pending_payment: 1, paid: 2, payment_failed: 2, closed: 2, partially_refunded: 3, refunded: 4 }

/** What the order should say, given the gateway's view of its payment. */
export function statusFor (payment: Pick<Payment, 'status' | 'amount_captured' | 'amount_refunded'>): OrderStatus {
  switch (payment.status) {
    case 'succeeded':
      if (payment.amount_refunded === 0) return 'paid'
      return payment.amount_refunded >= payment.amount_captured ? 'refunded' : 'partially_refunded'
    case 'failed': return 'payment_failed'
    case 'canceled': return 'closed'
    default: return 'pending_payment'
  }
}

const HUMAN: Record<OrderStatus, string> = {
  created: 'created',
  pending_payment: 'waiting for payment',
  paid: 'paid',
  payment_failed: 'payment failed',
  closed: 'closed',
  partially_refunded: 'partly refunded',
  refunded: 'refunded'
}

export function note (order: Order, kind: string, text: string, at: string): void {
  order.timeline.push({ at, kind, text })
}

/** How far along its life a payment is. */
const STAGE: Record<Payment['status'], number> = { requires_action: 0, processing: 0, authorized: 1, succeeded: 2, failed: 2, canceled: 2 }

/**
 * Applies a verified view of the payment (an answer, a query, a notification). Returns whether
 * anything changed. An older view than the one already applied changes nothing: older by its
 * updated_at, or, as two views can carry the same updated_at, earlier in the payment's life.
 */
export function applyPayment (order: Order, payment: Payment, at: string, source: string): boolean {
  // A payment under the order's id for another sum (made by someone else) does not pay this order.
  if (payment.amount !== order.amount || payment.currency !== order.currency) {
    note(order, 'mismatch', `The channel's payment ${payment.id} is for ${payment.amount} ${payment.currency}, not this order's ${order.amount} ${order.currency}: not taken as this order's payment.`, at)
    return false
  }
  if (order.payment_id === payment.id && order.payment_status !== null && order.payment_updated_at !== null &&
    (payment.updated_at < order.payment_updated_at || STAGE[payment.status] < STAGE[order.payment_status])) return false
  const next = statusFor(payment)
  const changed = order.payment_id !== payment.id || order.payment_status !== payment.status || order.amount_refunded !== payment.amount_refunded
  order.payment_id = payment.id
  order.payment_status = payment.status
  order.payment_updated_at = payment.updated_at
  order.next_action_url = payment.status === 'requires_action' ? payment.next_action?.url ?? null : null
  order.failure = payment.failure
  order.amount_refunded = Math.max(order.amount_refunded, payment.amount_refunded)
  if (RANK[next] > RANK[order.status] || (RANK[next] === RANK[order.status] && next !== order.status && order.status === 'pending_payment')) {
    note(order, 'status', `Order is now ${HUMAN[next]}, going by ${sourceWords(source)}.`, at)
    order.status = next
  }
  order.updated_at = at
  return changed
}

/** Records a refund the gateway confirmed (by id, so a repeated report is harmless). */
export function applyRefund (order: Order, refund: Refund, at: string): void {
  if (order.refunds.some((r) => r.id === refund.id)) return
  order.refunds.push({ id: refund.id, merchant_refund_id: refund.merchant_refund_id, amount: refund.amount, status: refund.status })
  if (refund.status !== 'succeeded') return
  const refunded = order.refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0)
  order.amount_refunded = Math.max(order.amount_refunded, refunded)
  // A refund proves the payment was taken, even if its own report has not arrived yet.
  const next: OrderStatus = order.amount_refunded >= order.amount ? 'refunded' : 'partially_refunded'
  if (RANK[next] > RANK[order.status]) {
    note(order, 'status', `Order is now ${HUMAN[next]}.`, at)
    order.status = next
  }
  order.updated_at = at
}
