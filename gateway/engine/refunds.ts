// Refunds of captured payments: partial and several, never more than what was captured.
import { isoTime } from './clock.js'
import type { EngineContext } from './context.js'
import { INVALID_STATE_TRANSITION, REFUND_AMOUNT_EXCEEDED, REFUND_ID_CONFLICT, REFUND_NOT_FOUND } from './errors.js'
import { newId } from './ids.js'
import { assertAmount } from './money.js'
import { getPayment, type Page } from './payments.js'
import type { Refund } from './types.js'

export interface CreateRefundInput {
  merchant_refund_id: string
  amount?: number
  reason?: string
}

export function createRefund (ctx: EngineContext, merchantId: string, paymentId: string, input: CreateRefundInput): { refund: Refund, created: boolean } {
  const payment = getPayment(ctx, merchantId, paymentId)
  const existingId = ctx.db.refundIdByMerchantRef(merchantId, input.merchant_refund_id)
  if (existingId !== undefined) {
    const existing = ctx.db.get('refunds', existingId) as Refund
    if (existing.payment_id !== paymentId || (input.amount !== undefined && input.amount !== existing.amount)) {
      throw REFUND_ID_CONFLICT(undefined, { field: 'merchant_refund_id', refund_id: existing.id })
    }
    return { refund: existing, created: false }
  }
  if (payment.status !== 'succeeded') {
    throw INVALID_STATE_TRANSITION(`only a succeeded payment can be refunded; this one is ${payment.status}`, { payment_id: paymentId, status: payment.status })
  }
  const refundable = payment.amount_captured - payment.amount_refunded
  const amount = input.amount ?? refundable
  if (amount === 0 && input.amount === undefined) throw REFUND_AMOUNT_EXCEEDED('the payment is already fully refunded', { field: 'amount' })
  assertAmount(amount)
  if (amount > refundable) throw REFUND_AMOUNT_EXCEEDED(`amount ${amount} is more than the ${refundable} left to refund`, { field: 'amount', refundable })

  const now = isoTime(ctx.clock)
  const refund: Refund = {
    id: newId('re'),
    object: 'refund',
    merchant_id: merchantId,
    payment_id: paymentId,
    merchant_refund_id: input.merchant_refund_id,
    amount,
    currency: payment.currency,
    reason: input.reason ?? null,
    status: 'succeeded',
    failure: null,
    created_at: now
  }
  const updated = ctx.db.put('payments', paymentId, { ...payment, amount_refunded: payment.amount_refunded + amount, updated_at: now })
  ctx.db.put('refunds', refund.id, refund)
  ctx.emit({ type: 'refund.changed', refund, payment: updated })
  return { refund, created: true }
}

export function getRefund (ctx: EngineContext, merchantId: string, id: string): Refund {
  const refund = ctx.db.get('refunds', id)
  if (refund === undefined || refund.merchant_id !== merchantId) throw REFUND_NOT_FOUND(`no refund of this merchant has the id ${JSON.stringify(id)}`, { refund_id: id })
  return refund
}

export function listRefunds (ctx: EngineContext, merchantId: string, paymentId: string): Page<Refund> {
  getPayment(ctx, merchantId, paymentId)
  const data = ctx.db.refundIdsOfPayment(paymentId).map((id) => ctx.db.get('refunds', id) as Refund)
  return { object: 'list', data, has_more: false, next_cursor: null }
}
