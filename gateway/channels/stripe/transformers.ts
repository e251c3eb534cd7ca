// Pure mapping between the engine's records and Stripe's objects (hyperswitch's "transformers"):
// no Fastify, no HTTP, no store. Engine ids keep their random part: pay_X is pi_X (and its
// charge ch_X), refunds and events keep their re_ and evt_ ids.
import type { NotificationEvent, Payment, PendingAction, Refund } from '../../engine/types.js'

/** The API version stripe-node 23.1.0 sends; webhook bodies say it (any Stripe-Version is accepted). */
export const STRIPE_API_VERSION = '2026-10-28.endive'
export const CHANNEL = 'stripe'

export const unix = (iso: string): number => Math.floor(Date.parse(iso) / 1000)
export const piId = (paymentId: string): string => `pi_${paymentId.slice(paymentId.indexOf('_') + 1)}`
export const chargeId = (paymentId: string): string => `ch_${paymentId.slice(paymentId.indexOf('_') + 1)}`

/** The engine id of a pi_… or ch_… id, or undefined for anything else. */
export function paymentIdOf (id: string): string | undefined {
  const m = /^(?:pi|ch)_([A-Za-z0-9]{1,64})$/.exec(id)
  return m === null ? undefined : `pay_${m[1] as string}`
}

/** Stripe's decline codes for the engine's; `code` is the error code, `decline_code` the issuer's reason. */
const DECLINES: Readonly<Record<string, { code: string, decline_code: string }>> = {
  card_declined: { code: 'card_declined', decline_code: 'generic_decline' },
  payment_declined: { code: 'card_declined', decline_code: 'generic_decline' },
  insufficient_funds: { code: 'card_declined', decline_code: 'insufficient_funds' },
  lost_card: { code: 'card_declined', decline_code: 'lost_card' },
  stolen_card: { code: 'card_declined', decline_code: 'stolen_card' },
  expired_card: { code: 'expired_card', decline_code: 'expired_card' },
  incorrect_cvc: { code: 'incorrect_cvc', decline_code: 'incorrect_cvc' },
  processing_error: { code: 'processing_error', decline_code: 'processing_error' }
}

export interface LastPaymentError { type: string, code: string, decline_code?: string, message: string, doc_url: string, payment_method?: unknown }

export function lastPaymentError (payment: Payment): LastPaymentError | null {
  if (payment.status !== 'failed' || payment.failure === null) return null
  const { code, message } = payment.failure
  if (code === 'authentication_failed' || code === 'expired') {
    return { type: 'invalid_request_error', code: 'payment_intent_authentication_failure', message: 'The provided PaymentMethod has failed authentication.', doc_url: 'https://stripe.com/docs/error-codes/payment-intent-authentication-failure' }
  }
  const mapped = Object.hasOwn(DECLINES, code) ? DECLINES[code] as { code: string, decline_code: string } : { code: 'card_declined', decline_code: 'generic_decline' }
  return { type: 'card_error', ...mapped, message, doc_url: `https://stripe.com/docs/error-codes/${mapped.code.replace(/_/g, '-')}` }
}

/** Stripe's PaymentIntent status for the engine's, given what the payment waits for. */
export function intentStatus (payment: Payment, waitsFor: PendingAction['kind'] | undefined): string {
  switch (payment.status) {
    case 'requires_action':
      if (waitsFor !== 'card_entry') return 'requires_action'
      return payment.channel_data?.payment_method === undefined ? 'requires_payment_method' : 'requires_confirmation'
    case 'authorized': return 'requires_capture'
    // A declined attempt leaves the intent waiting for another method, as in Stripe.
    case 'failed': return 'requires_payment_method'
    default: return payment.status
  }
}

/** Stripe's reasons pass through; the engine's own become Stripe's (none given: null). */
function cancellationReason (reason: string | null): string | null {
  if (reason === 'expired') return 'abandoned'
  return reason === null || reason === 'requested_by_merchant' ? null : reason
}

export function paymentIntent (payment: Payment, waitsFor: PendingAction['kind'] | undefined, clientSecret: string): Record<string, unknown> {
  const status = intentStatus(payment, waitsFor)
  const attempted = payment.method.card !== undefined
  return {
    id: piId(payment.id),
    object: 'payment_intent',
    amount: payment.amount,
    amount_capturable: payment.status === 'authorized' ? payment.amount : 0,
    amount_received: payment.amount_captured,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: payment.status === 'canceled' ? unix(payment.updated_at) : null,
    cancellation_reason: payment.status === 'canceled' ? cancellationReason(payment.cancellation_reason) : null,
    capture_method: payment.capture,
    client_secret: clientSecret,
    confirmation_method: 'automatic',
    created: unix(payment.created_at),
    currency: payment.currency.toLowerCase(),
    customer: null,
    description: payment.description,
    last_payment_error: lastPaymentError(payment),
    latest_charge: attempted ? chargeId(payment.id) : null,
    livemode: false,
    metadata: payment.metadata,
    next_action: status === 'requires_action' && payment.next_action !== null
      ? { type: 'redirect_to_url', redirect_to_url: { url: payment.next_action.url, return_url: payment.return_url } }
      : null,
    on_behalf_of: null,
    payment_method: payment.channel_data?.payment_method ?? null,
    payment_method_types: ['card'],
    receipt_email: null,
    setup_future_usage: null,
    shipping: null,
    statement_descriptor: null,
    status,
    transfer_data: null
  }
}

export function paymentMethod (id: string, card: { brand: string, last4: string, exp_month: number, exp_year: number, fingerprint: string }, created: number): Record<string, unknown> {
  return {
    id,
    object: 'payment_method',
    billing_details: { address: null, email: null, name: null, phone: null },
    card: { ...card, country: 'US', funding: 'credit', checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' } },
    created,
    customer: null,
    livemode: false,
    metadata: {},
    type: 'card'
  }
}

const REFUND_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer'])

export function refund (r: Refund): Record<string, unknown> {
  return {
    id: r.id,
    object: 'refund',
    amount: r.amount,
    balance_transaction: null,
    charge: chargeId(r.payment_id),
    created: unix(r.created_at),
    currency: r.currency.toLowerCase(),
    metadata: {},
    payment_intent: piId(r.payment_id),
    reason: r.reason !== null && REFUND_REASONS.has(r.reason) ? r.reason : null,
    receipt_number: null,
    status: r.status === 'succeeded' ? 'succeeded' : 'failed'
  }
}

/** The charge of a payment's attempt, with the refunds made up to a point (`refunds`, oldest first). */
export function charge (payment: Payment, refunds: readonly Refund[]): Record<string, unknown> {
  const refunded = refunds.reduce((sum, r) => sum + (r.status === 'succeeded' ? r.amount : 0), 0)
  const error = lastPaymentError(payment)
  return {
    id: chargeId(payment.id),
    object: 'charge',
    amount: payment.amount,
    amount_captured: payment.amount_captured,
    amount_refunded: refunded,
    captured: payment.amount_captured > 0,
    created: unix(payment.created_at),
    currency: payment.currency.toLowerCase(),
    failure_code: error?.code ?? null,
    failure_message: error?.message ?? null,
    livemode: false,
    metadata: payment.metadata,
    outcome: error === null ? { type: 'authorized', network_status: 'approved_by_network' } : { type: 'issuer_declined', reason: error.decline_code ?? null },
    paid: payment.status === 'succeeded' || payment.status === 'authorized',
    payment_intent: piId(payment.id),
    payment_method: payment.channel_data?.payment_method ?? null,
    payment_method_details: payment.method.card === undefined ? null : { type: 'card', card: payment.method.card },
    refunded: payment.amount_captured > 0 && refunded >= payment.amount_captured,
    refunds: { object: 'list', data: [...refunds].reverse().map(refund), has_more: false, url: `/v1/charges/${chargeId(payment.id)}/refunds` },
    status: payment.status === 'failed' ? 'failed' : payment.status === 'processing' ? 'pending' : 'succeeded'
  }
}

/** Stripe's event type for the engine's. */
export const EVENT_TYPES: Readonly<Record<NotificationEvent['type'], string>> = {
  'payment.succeeded': 'payment_intent.succeeded',
  'payment.captured': 'payment_intent.succeeded',
  'payment.failed': 'payment_intent.payment_failed',
  'payment.canceled': 'payment_intent.canceled',
  'payment.expired': 'payment_intent.canceled',
  'payment.authorized': 'payment_intent.amount_capturable_updated',
  'payment.requires_action': 'payment_intent.requires_action',
  'refund.succeeded': 'charge.refunded',
  'refund.failed': 'refund.failed'
}

export function stripeEvent (event: NotificationEvent, object: Record<string, unknown>): Record<string, unknown> {
  return {
    id: event.id,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created: unix(event.created),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: EVENT_TYPES[event.type]
  }
}
