// POST /pay: the product's source document's Python client, served unchanged. It signs the raw
// JSON body with a lowercase hex HMAC-SHA256 in a `Signature` header and sends the amount as a
// JSON number of major units; the answer is signed the same way.
import type { Answer } from './answers.js'
import type { EngineContext } from './context.js'
import { safeEqual } from './crypto.js'
import { AMOUNT_INVALID, ORDER_ID_CONFLICT, PAY_SIGNATURE_INVALID, type PaylabError } from './errors.js'
import { JsonNumberText, memberText, stringifyWithNumbers } from './json-text.js'
import { majorToMinor, minorToMajor } from './money.js'
import { amountOutcome, type Outcome } from './outcomes.js'
import { applyOutcome } from './lifecycle.js'
import { newPayment } from './payments.js'
import type { Payment } from './types.js'

export const SEED_MERCHANT_ID = 'seed'

export interface PayRequest { user_id: string, order_id: string, amount: number, currency: string }

/** Checks the `Signature` header: lowercase hex HMAC-SHA256 of the raw body, constant-time. */
export function verifyPaySignature (ctx: EngineContext, rawBody: Buffer, signatureHex: string | undefined): void {
  const expected = ctx.crypto.hmacSha256(seedSecret(ctx), rawBody)
  if (signatureHex === undefined || !/^[0-9a-f]{64}$/i.test(signatureHex) || !safeEqual(expected, Buffer.from(signatureHex, 'hex'))) {
    throw PAY_SIGNATURE_INVALID(undefined, { header: 'Signature' })
  }
}

/** The `Signature` header of an answer: lowercase hex HMAC-SHA256 of its raw body. */
export function paySignature (ctx: EngineContext, body: Buffer | string): string {
  return ctx.crypto.hmacSha256(seedSecret(ctx), body).toString('hex')
}

/** A refusal in the client's own terms: `status: "failed"` with the error's code. */
export function payFailure (err: PaylabError, requestId: string): Record<string, unknown> {
  return { status: 'failed', code: err.code, message: err.message, request_id: requestId, ...err.details }
}

function seedSecret (ctx: EngineContext): string {
  return ctx.db.get('merchants', SEED_MERCHANT_ID)?.hmac_secret ?? ctx.config.seedSecret
}

/**
 * Processes a request whose signature and shape were already checked. `rawBody` is the body as
 * sent: the amount is read from its text there, since the parsed number is already a double
 * (100.0099999999999999 parses as 100.01, which would charge a rounded amount).
 */
export function pay (ctx: EngineContext, req: PayRequest, rawBody: Buffer, override?: Outcome): Answer {
  const amountText = memberText(rawBody.toString('utf8'), 'amount')
  if (amountText === undefined) throw AMOUNT_INVALID('amount must be a JSON number', { field: 'amount' })
  const amount = majorToMinor(amountText, req.currency)
  const existingId = ctx.db.paymentIdByOrder(SEED_MERCHANT_ID, req.order_id)
  if (existingId !== undefined) {
    const existing = ctx.db.get('payments', existingId) as Payment
    if (existing.amount !== amount || existing.currency !== req.currency || existing.metadata.user_id !== req.user_id) {
      throw ORDER_ID_CONFLICT(undefined, { field: 'order_id', payment_id: existing.id })
    }
    return result(existing)
  }
  const payment = newPayment(ctx, {
    merchant_id: SEED_MERCHANT_ID,
    merchant_order_id: req.order_id,
    amount,
    currency: req.currency,
    method: { type: 'wallet', wallet: { provider: 'pay_api' } },
    capture: 'automatic',
    description: null,
    notify_url: null,
    return_url: null,
    metadata: { user_id: req.user_id }
  })
  applyOutcome(ctx, payment, override ?? amountOutcome(amount))
  return result(payment)
}

function result (p: Payment): Answer {
  const status = p.status === 'succeeded' ? 'success' : p.status === 'failed' ? 'failed' : p.status
  // The amount goes back as a JSON number with the currency's decimals (100.00), like the request.
  const body: Record<string, unknown> = {
    status,
    payment_id: p.id,
    order_id: p.merchant_order_id,
    amount: new JsonNumberText(minorToMajor(p.amount, p.currency)),
    currency: p.currency
  }
  if (p.failure !== null) Object.assign(body, { code: p.failure.code, message: p.failure.message })
  return { status: 200, body: stringifyWithNumbers(body) }
}
