// The engine's operations for channel profiles, synchronous: a profile runs them inside
// Engine.idempotent, so that the change, its notification and the answer kept for its
// Idempotency-Key are one commit (a retry after a crash finds the answer or nothing, never the
// change without it). Each checks everything before it changes anything, as the engine's own.
import { isoTime } from './clock.js'
import type { EngineContext } from './context.js'
import { INVALID_STATE_TRANSITION, VALIDATION_FAILED } from './errors.js'
import { applyOutcome } from './lifecycle.js'
import { assertAmount } from './money.js'
import type { Outcome } from './outcomes.js'
import { cancelPayment, capturePayment, createPayment, getPayment, type CreatePaymentInput, type CreateResult } from './payments.js'
import { createRefund, type CreateRefundInput } from './refunds.js'
import type { CardDetails, Payment, Refund } from './types.js'
import { checkUrl } from './urls.js'

/** What a channel profile gives with a create: which profile, and the small record it keeps. */
export interface ChannelCreate {
  channel: string
  channelData?: Record<string, string> | undefined
  /** An outcome a sandbox rule or `Paylab-Scenario` chose (the request's decision), or the channel's test method. */
  outcome?: Outcome | undefined
  /**
   * A card the profile took on its own wire (Stripe's API takes test cards and tokens), already
   * reduced by Engine.cardDetails: no number reaches the payment. With `method.type: 'card'`.
   */
  card?: CardDetails | undefined
}

export interface PaymentPatch {
  /** Only while the payment waits for its card (nothing was authorized yet). */
  amount?: number | undefined
  description?: string | null | undefined
  metadata?: Record<string, string> | undefined
  return_url?: string | null | undefined
  /** Replaces the profile's record. */
  channelData?: Record<string, string> | undefined
}

export interface ChannelOps {
  openPayment (merchantId: string, input: CreatePaymentInput, create: ChannelCreate): CreateResult
  /** Gives a payment waiting for its card (created with `card: {entry: 'hosted'}`) the card and its outcome. */
  confirmCard (merchantId: string, id: string, card: CardDetails, outcome: Outcome): Payment
  updatePayment (merchantId: string, id: string, patch: PaymentPatch): Payment
  capturePayment (merchantId: string, id: string, amount?: number): Payment
  closePayment (merchantId: string, id: string, reason?: string): Payment
  refundPayment (merchantId: string, paymentId: string, input: CreateRefundInput): { refund: Refund, created: boolean }
}

export function channelOps (ctx: EngineContext): ChannelOps {
  return {
    openPayment: (merchantId, input, create) =>
      createPayment(ctx, merchantId, input, create.outcome, { channel: create.channel, channelData: create.channelData, card: create.card }),
    confirmCard: (merchantId, id, card, outcome) => confirmCard(ctx, merchantId, id, card, outcome),
    updatePayment: (merchantId, id, patch) => updatePayment(ctx, merchantId, id, patch),
    capturePayment: (merchantId, id, amount) => capturePayment(ctx, merchantId, id, amount),
    closePayment: (merchantId, id, reason) => cancelPayment(ctx, merchantId, id, reason),
    refundPayment: (merchantId, paymentId, input) => createRefund(ctx, merchantId, paymentId, input)
  }
}

function waitingForCard (ctx: EngineContext, payment: Payment): boolean {
  return payment.status === 'requires_action' && ctx.db.get('pending', payment.id)?.kind === 'card_entry'
}

function confirmCard (ctx: EngineContext, merchantId: string, id: string, card: CardDetails, outcome: Outcome): Payment {
  const payment = getPayment(ctx, merchantId, id)
  const pending = ctx.db.get('pending', id)
  if (pending === undefined || !waitingForCard(ctx, payment)) {
    throw INVALID_STATE_TRANSITION(`the payment is ${payment.status} and takes no card`, { payment_id: id, status: payment.status })
  }
  // An outcome a rule or header chose at creation still wins, as on the hosted card form.
  const chosen = (pending.forced as Outcome | null | undefined) ?? outcome
  ctx.scheduler.cancel(pending.expire_task)
  ctx.db.delete('pending', id)
  const next: Payment = { ...payment, method: { type: 'card', card }, next_action: null, updated_at: isoTime(ctx.clock) }
  if (chosen.kind !== 'challenge') return applyOutcome(ctx, next, chosen)
  // From waiting for a card to waiting for 3-D Secure: the same status, announced as a new wait.
  const waiting = applyOutcome(ctx, next, chosen)
  ctx.emit({ type: 'payment.changed', payment: waiting, previous: 'requires_action' })
  return waiting
}

function updatePayment (ctx: EngineContext, merchantId: string, id: string, patch: PaymentPatch): Payment {
  const payment = getPayment(ctx, merchantId, id)
  const next: Payment = { ...payment, updated_at: isoTime(ctx.clock) }
  if (patch.amount !== undefined && patch.amount !== payment.amount) {
    if (!waitingForCard(ctx, payment)) throw INVALID_STATE_TRANSITION(`the amount of a payment that is ${payment.status} cannot change`, { payment_id: id, field: 'amount' })
    assertAmount(patch.amount)
    next.amount = patch.amount
  }
  if (patch.description !== undefined) next.description = patch.description
  if (patch.metadata !== undefined) {
    if (Object.values(patch.metadata).some((v) => typeof v !== 'string')) throw VALIDATION_FAILED('metadata values are strings', { field: 'metadata' })
    next.metadata = patch.metadata
  }
  if (patch.return_url !== undefined) next.return_url = patch.return_url === null ? null : checkUrl(patch.return_url, 'return_url').href
  if (patch.channelData !== undefined) next.channel_data = patch.channelData
  return ctx.db.put('payments', id, next)
}
