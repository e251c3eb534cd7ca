// How a payment moves after it is created: its outcome now, or later — when the buyer acts
// (3-D Secure, wallet approval, bank transfer), when a processing payment resolves, or when an
// unpaid one expires. Every status change passes the state machine and is announced.
import { isoTime } from './clock.js'
import type { EngineContext } from './context.js'
import { INVALID_STATE_TRANSITION, PAYMENT_NOT_FOUND } from './errors.js'
import { DECLINE_MESSAGES, type DeclineCode, type Outcome } from './outcomes.js'
import { assertTransition } from './transitions.js'
import type { Payment, PaymentStatus, PendingAction, Task } from './types.js'

/** Moves a payment (new or stored) according to an outcome, and stores it. */
export function applyOutcome (ctx: EngineContext, payment: Payment, outcome: Outcome, expiresInSec = ctx.config.paymentExpiresInSec): Payment {
  const before = payment.status
  switch (outcome.kind) {
    case 'succeed':
      if (payment.capture === 'manual') setStatus(ctx, payment, 'authorized')
      else { setStatus(ctx, payment, 'succeeded'); payment.amount_captured = payment.amount }
      payment.next_action = null
      break
    case 'decline':
      setStatus(ctx, payment, 'failed')
      payment.failure = { code: outcome.code, message: DECLINE_MESSAGES[outcome.code] }
      payment.next_action = null
      break
    case 'challenge': {
      setStatus(ctx, payment, 'requires_action')
      payment.next_action = { type: 'redirect', url: `${ctx.config.publicUrl}/cashier/${payment.id}` }
      const expiresAt = ctx.clock.now() + expiresInSec * 1000
      payment.expires_at = new Date(expiresAt).toISOString()
      const task = ctx.scheduler.add(expiresAt, 'payment.expire', payment.id)
      const kind = payment.method.type === 'card' ? 'three_d_secure' : payment.method.type
      ctx.db.put('pending', payment.id, { id: payment.id, kind, then: outcome.then, expire_task: task.id })
      break
    }
    case 'processing':
      setStatus(ctx, payment, 'processing')
      ctx.scheduler.add(ctx.clock.now() + ctx.config.processingDelaySec * 1000, 'payment.resolve', payment.id, { then: outcome.then })
      break
  }
  ctx.db.put('payments', payment.id, payment)
  if (payment.status !== before || before === 'processing') ctx.emit({ type: 'payment.changed', payment, previous: before })
  return payment
}

function setStatus (ctx: EngineContext, payment: Payment, to: PaymentStatus): void {
  // A payment not stored yet is being created: its placeholder status is nothing it leaves
  // (else a new wallet payment would be refused the move processing → requires_action).
  const stored = ctx.db.get('payments', payment.id) !== undefined
  if (payment.status !== to && stored) assertTransition(payment, to, `move to ${to}`)
  payment.status = to
  payment.updated_at = isoTime(ctx.clock)
}

export type BuyerAction = 'pass' | 'fail' | 'cancel'

export function pendingAction (ctx: EngineContext, paymentId: string): PendingAction | undefined {
  return ctx.db.get('pending', paymentId)
}

/**
 * The buyer finished (or gave up on) the hosted page of a waiting payment. `cancel` leaves the
 * payment waiting: an abandoned payment closes when it expires, as with a real channel.
 */
export function completeAction (ctx: EngineContext, paymentId: string, action: BuyerAction): Payment {
  const payment = ctx.db.get('payments', paymentId)
  if (payment === undefined) throw PAYMENT_NOT_FOUND(undefined, { payment_id: paymentId })
  const pending = ctx.db.get('pending', paymentId)
  if (pending === undefined || payment.status !== 'requires_action') {
    throw INVALID_STATE_TRANSITION(`the payment is ${payment.status} and waits for no buyer action`, { payment_id: paymentId, status: payment.status })
  }
  if (action === 'cancel') return payment
  if (pending.kind === 'card_entry') {
    throw INVALID_STATE_TRANSITION('the payment waits for the buyer\'s card (POST /cashier/{id}/card), not for an approval', { payment_id: paymentId, status: payment.status })
  }
  ctx.scheduler.cancel(pending.expire_task)
  ctx.db.delete('pending', paymentId)
  const failure: DeclineCode = pending.kind === 'three_d_secure' ? 'authentication_failed' : 'payment_declined'
  return applyOutcome(ctx, { ...payment }, action === 'pass' ? pending.then as Outcome : { kind: 'decline', code: failure })
}

/** Closes a waiting payment whose time ran out, or settles a processing one. */
export function runTask (ctx: EngineContext, task: Task): void {
  if (task.kind !== 'payment.expire' && task.kind !== 'payment.resolve') return
  const payment = ctx.db.get('payments', task.ref)
  if (payment === undefined) return
  if (task.kind === 'payment.resolve') {
    if (payment.status === 'processing') applyOutcome(ctx, { ...payment }, task.data.then as Outcome)
    return
  }
  ctx.db.delete('pending', payment.id)
  if (payment.status !== 'requires_action') return
  const next: Payment = { ...payment, status: 'canceled', cancellation_reason: 'expired', next_action: null, updated_at: isoTime(ctx.clock) }
  ctx.db.put('payments', next.id, next)
  ctx.emit({ type: 'payment.changed', payment: next, previous: payment.status })
}
