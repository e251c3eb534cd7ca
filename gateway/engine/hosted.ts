// What the buyer may change on the hosted cashier before the outcome: the method (card, a
// wallet, bank transfer) while nothing has been given yet, and the card itself for a payment
// created with `card: {entry: 'hosted'}`. The card arrives as the same encrypted envelope a
// merchant sends, made in the buyer's browser with the gateway's public key.
import { isoTime } from './clock.js'
import type { EngineContext } from './context.js'
import { describeCard, type PlainCard } from './cards.js'
import { openEnvelope, type CardEnvelope, type OpenedEnvelope } from './envelope.js'
import { INVALID_STATE_TRANSITION, PAYMENT_NOT_FOUND } from './errors.js'
import { privateKeyFor } from './keys.js'
import { applyOutcome } from './lifecycle.js'
import { amountOutcome, cardOutcome, type Outcome } from './outcomes.js'
import type { MethodType, Payment, PaymentMethod, PendingAction } from './types.js'

/** Waits that nothing has been given to yet: the buyer may still switch method. */
const SWITCHABLE: ReadonlyArray<PendingAction['kind']> = ['card_entry', 'wallet', 'bank_transfer']

/** A new card payment without its card: it waits for the buyer like any other, until it expires. */
export function awaitCard (ctx: EngineContext, payment: Payment, forced: Outcome | undefined, expiresInSec?: number): Payment {
  applyOutcome(ctx, payment, { kind: 'challenge', then: { kind: 'succeed' } }, expiresInSec)
  const pending = ctx.db.get('pending', payment.id) as PendingAction
  ctx.db.put('pending', payment.id, { ...pending, kind: 'card_entry', then: null, forced: forced ?? null })
  return payment
}

/**
 * The buyer's card, as an envelope: checked like a merchant's, then its outcome (3-D Secure stays
 * in the same wait). `opened`: the envelope opened beforehand (see Engine.createPayment).
 */
export function enterCard (ctx: EngineContext, paymentId: string, envelope: CardEnvelope, opened?: OpenedEnvelope): Payment {
  const { payment, pending } = waiting(ctx, paymentId, ['card_entry'], 'card details')
  let plain: PlainCard
  if (opened?.envelope === envelope) {
    if ('error' in opened) throw opened.error
    plain = opened.card
  } else {
    plain = openEnvelope(ctx.crypto, envelope, (keyId) => privateKeyFor(ctx, keyId))
  }
  const secret = ctx.db.get('settings', 'settings')?.fingerprint_secret ?? ''
  const { digits, ...card } = describeCard(plain, ctx.crypto, secret, ctx.clock.now())
  const next: Payment = { ...payment, method: { type: 'card', card }, updated_at: isoTime(ctx.clock) }
  const outcome = (pending.forced as Outcome | null | undefined) ?? cardOutcome(digits)
  if (outcome.kind === 'challenge') {
    ctx.db.put('pending', paymentId, { ...pending, kind: 'three_d_secure', then: outcome.then })
    return ctx.db.put('payments', paymentId, next)
  }
  ctx.scheduler.cancel(pending.expire_task)
  ctx.db.delete('pending', paymentId)
  return applyOutcome(ctx, next, outcome)
}

export interface MethodChoice { type: MethodType, wallet?: { provider: string } }

/** The buyer picks another method on the hosted page; the payment keeps waiting, under the same expiry. */
export function chooseMethod (ctx: EngineContext, paymentId: string, choice: MethodChoice): Payment {
  const { payment, pending } = waiting(ctx, paymentId, SWITCHABLE, 'a method choice')
  const method: PaymentMethod = choice.type === 'wallet'
    ? { type: 'wallet', wallet: { provider: choice.wallet?.provider ?? 'paylab_wallet' } }
    : { type: choice.type }
  const forced = pending.forced as Outcome | null | undefined
  // As at creation: a wallet or transfer ends as its amount says once the buyer approves.
  const after = forced ?? amountOutcome(payment.amount)
  const then = choice.type === 'card' ? null : after.kind === 'challenge' ? after.then : after
  ctx.db.put('pending', paymentId, { ...pending, kind: choice.type === 'card' ? 'card_entry' : choice.type, then })
  return ctx.db.put('payments', paymentId, { ...payment, method, updated_at: isoTime(ctx.clock) })
}

function waiting (ctx: EngineContext, paymentId: string, kinds: ReadonlyArray<PendingAction['kind']>, what: string): { payment: Payment, pending: PendingAction } {
  const payment = ctx.db.get('payments', paymentId)
  if (payment === undefined) throw PAYMENT_NOT_FOUND(undefined, { payment_id: paymentId })
  const pending = ctx.db.get('pending', paymentId)
  if (pending === undefined || payment.status !== 'requires_action' || !kinds.includes(pending.kind)) {
    throw INVALID_STATE_TRANSITION(`the payment is ${payment.status}${pending === undefined ? '' : ` (${pending.kind.replace(/_/g, ' ')})`} and takes no ${what}`, { payment_id: paymentId, status: payment.status })
  }
  return { payment, pending }
}
