// Payments: create, query, list, capture and cancel. Every operation checks everything before
// it changes anything, so a rejected request leaves the store exactly as it was.
import { DEFAULT_CHANNEL } from './channels.js'
import { isoTime } from './clock.js'
import type { EngineContext } from './context.js'
import { describeCard, type PlainCard } from './cards.js'
import { openEnvelope, type CardEnvelope, type OpenedEnvelope } from './envelope.js'
import {
  CAPTURE_AMOUNT_EXCEEDED, CARD_PLAINTEXT_REFUSED, CURSOR_INVALID, INVALID_STATE_TRANSITION, ORDER_ID_CONFLICT, PAYMENT_NOT_FOUND, VALIDATION_FAILED
} from './errors.js'
import { newId } from './ids.js'
import { privateKeyFor } from './keys.js'
import { assertAmount, currencyExponent } from './money.js'
import { amountOutcome, cardOutcome, type Outcome } from './outcomes.js'
import { applyOutcome } from './lifecycle.js'
import { awaitCard } from './hosted.js'
import { assertTransition } from './transitions.js'
import type { CaptureMode, CardDetails, MethodType, Payment, PaymentMethod } from './types.js'
import { checkNotifyUrl, checkUrl } from './urls.js'

export interface CreatePaymentInput {
  merchant_order_id: string
  amount: number
  currency: string
  method: {
    type: MethodType
    /** `entry: 'hosted'`: no card yet, the buyer enters it on the hosted page (next_action). */
    card?: { encrypted?: CardEnvelope, entry?: 'hosted' } & Partial<PlainCard>
    wallet?: { provider: string }
  }
  capture?: CaptureMode
  expires_in?: number
  description?: string
  notify_url?: string
  return_url?: string
  metadata?: Record<string, string>
}

export interface CreateResult { payment: Payment, created: boolean }

/** A payment made through a channel profile other than paylab's own (see channels.ts). */
export interface ChannelOrigin {
  channel: string
  channelData?: Record<string, string> | undefined
  /** A card the profile took on its own wire, already reduced to its details (no number). */
  card?: CardDetails | undefined
}

/**
 * `override` is an outcome chosen by a sandbox rule or header instead of the card's or amount's;
 * `opened`, the card envelope of `input` opened beforehand (its error is thrown where opening it
 * here would have thrown).
 */
export function createPayment (ctx: EngineContext, merchantId: string, input: CreatePaymentInput, override?: Outcome, origin?: ChannelOrigin, opened?: OpenedEnvelope): CreateResult {
  currencyExponent(input.currency)
  assertAmount(input.amount)
  const capture = input.capture ?? 'automatic'
  const existingId = ctx.db.paymentIdByOrder(merchantId, input.merchant_order_id)
  if (existingId !== undefined) {
    const existing = ctx.db.get('payments', existingId) as Payment
    const same = existing.amount === input.amount && existing.currency === input.currency &&
      existing.method.type === input.method.type && existing.capture === capture
    if (!same) throw ORDER_ID_CONFLICT(undefined, { field: 'merchant_order_id', payment_id: existing.id })
    return { payment: existing, created: false }
  }
  const notifyUrl = input.notify_url === undefined ? null : checkNotifyUrl(input.notify_url, 'notify_url', ctx.config.notifyHosts)
  const returnUrl = input.return_url === undefined ? null : checkUrl(input.return_url, 'return_url').href
  const { method, outcome } = origin?.card !== undefined && input.method.type === 'card'
    ? { method: { type: 'card' as const, card: origin.card }, outcome: override ?? { kind: 'succeed' as const } }
    : resolveMethod(ctx, input, opened)

  const payment = newPayment(ctx, {
    merchant_id: merchantId,
    merchant_order_id: input.merchant_order_id,
    amount: input.amount,
    currency: input.currency,
    method,
    capture,
    description: input.description ?? null,
    notify_url: notifyUrl,
    return_url: returnUrl,
    metadata: input.metadata ?? {}
  })
  if (origin !== undefined && origin.channel !== DEFAULT_CHANNEL) {
    payment.channel = origin.channel
    if (origin.channelData !== undefined) payment.channel_data = origin.channelData
  }
  if (outcome === undefined) awaitCard(ctx, payment, override, input.expires_in)
  else applyOutcome(ctx, payment, override ?? outcome, input.expires_in)
  return { payment, created: true }
}

type PaymentFields = Pick<Payment, 'merchant_id' | 'merchant_order_id' | 'amount' | 'currency' | 'method' | 'capture' | 'description' | 'notify_url' | 'return_url' | 'metadata'>

/** A payment about to receive its first outcome (its status is a placeholder until then). */
export function newPayment (ctx: EngineContext, fields: PaymentFields): Payment {
  const now = isoTime(ctx.clock)
  return {
    id: newId('pay'),
    object: 'payment',
    ...fields,
    status: 'processing',
    amount_captured: 0,
    amount_refunded: 0,
    failure: null,
    next_action: null,
    cancellation_reason: null,
    created_at: now,
    updated_at: now,
    expires_at: null
  }
}

/** The payment's method and its outcome; no outcome for a card the buyer has yet to enter. */
function resolveMethod (ctx: EngineContext, input: CreatePaymentInput, opened: OpenedEnvelope | undefined): { method: PaymentMethod, outcome: Outcome | undefined } {
  const { type } = input.method
  if (type === 'card') {
    const card = input.method.card
    if (card === undefined) throw VALIDATION_FAILED('method.card is required when method.type is card', { field: 'method.card' })
    if (card.entry !== undefined) {
      if (card.entry !== 'hosted' || Object.keys(card).length > 1) {
        throw VALIDATION_FAILED('method.card.entry is hosted and comes alone: the buyer enters the card on the hosted page', { field: 'method.card.entry' })
      }
      return { method: { type }, outcome: undefined }
    }
    let plain: PlainCard
    if (card.encrypted !== undefined && opened?.envelope === card.encrypted) {
      if ('error' in opened) throw opened.error
      plain = opened.card
    } else if (card.encrypted !== undefined) {
      plain = openEnvelope(ctx.crypto, card.encrypted, (keyId) => privateKeyFor(ctx, keyId))
    } else if (ctx.config.allowPlaintextCards) {
      plain = card as PlainCard
    } else {
      throw CARD_PLAINTEXT_REFUSED(undefined, { field: 'method.card' })
    }
    const settings = ctx.db.get('settings', 'settings')
    const { digits, ...details } = describeCard(plain, ctx.crypto, settings?.fingerprint_secret ?? '', ctx.clock.now())
    return { method: { type, card: details }, outcome: cardOutcome(digits) }
  }
  const method: PaymentMethod = type === 'wallet'
    ? { type, wallet: { provider: input.method.wallet?.provider ?? 'paylab_wallet' } }
    : { type }
  // Wallets and bank transfers wait for the buyer (the hosted cashier) before their outcome.
  const outcome = amountOutcome(input.amount)
  return { method, outcome: outcome.kind === 'succeed' || outcome.kind === 'decline' ? { kind: 'challenge', then: outcome } : outcome }
}

export function getPayment (ctx: EngineContext, merchantId: string, id: string): Payment {
  const payment = ctx.db.get('payments', id)
  if (payment === undefined || payment.merchant_id !== merchantId) throw PAYMENT_NOT_FOUND(`no payment of this merchant has the id ${JSON.stringify(id)}`, { payment_id: id })
  return payment
}

export function getPaymentByOrder (ctx: EngineContext, merchantId: string, merchantOrderId: string): Payment {
  const id = ctx.db.paymentIdByOrder(merchantId, merchantOrderId)
  if (id === undefined) throw PAYMENT_NOT_FOUND(`no payment of this merchant has the merchant_order_id ${JSON.stringify(merchantOrderId)}`, { merchant_order_id: merchantOrderId })
  return ctx.db.get('payments', id) as Payment
}

export interface Page<T> { object: 'list', data: T[], has_more: boolean, next_cursor: string | null }

export function listPayments (ctx: EngineContext, merchantId: string, limit: number, startingAfter?: string): Page<Payment> {
  const page = ctx.db.pageOfPayments(merchantId, limit, startingAfter)
  if (page === undefined) throw CURSOR_INVALID(undefined, { field: 'starting_after' })
  const data = page.ids.map((id) => ctx.db.get('payments', id) as Payment)
  return { object: 'list', data, has_more: page.hasMore, next_cursor: page.hasMore ? (data.at(-1)?.id ?? null) : null }
}

export function capturePayment (ctx: EngineContext, merchantId: string, id: string, amount?: number): Payment {
  const current = getPayment(ctx, merchantId, id)
  if (current.status !== 'authorized') {
    throw INVALID_STATE_TRANSITION(`only an authorized payment can be captured; this one is ${current.status}`, { payment_id: id, status: current.status })
  }
  const captured = amount ?? current.amount
  assertAmount(captured)
  if (captured > current.amount) throw CAPTURE_AMOUNT_EXCEEDED(`amount ${captured} is more than the authorized ${current.amount}`, { field: 'amount' })
  const next: Payment = { ...current, status: 'succeeded', amount_captured: captured, updated_at: isoTime(ctx.clock) }
  ctx.db.put('payments', id, next)
  ctx.emit({ type: 'payment.changed', payment: next, previous: current.status })
  return next
}

export function cancelPayment (ctx: EngineContext, merchantId: string, id: string, reason = 'requested_by_merchant'): Payment {
  const current = getPayment(ctx, merchantId, id)
  assertTransition(current, 'canceled', 'cancel')
  const next: Payment = { ...current, status: 'canceled', cancellation_reason: reason, next_action: null, updated_at: isoTime(ctx.clock) }
  ctx.db.put('payments', id, next)
  const pending = ctx.db.get('pending', id)
  if (pending !== undefined) { ctx.scheduler.cancel(pending.expire_task); ctx.db.delete('pending', id) }
  ctx.emit({ type: 'payment.changed', payment: next, previous: current.status })
  return next
}
