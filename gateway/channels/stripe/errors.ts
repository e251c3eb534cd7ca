// Stripe's error format ({error: {type, code, decline_code, param, message}}) and paylab's codes
// mapped to Stripe's: what stripe-node turns into StripeCardError, StripeInvalidRequestError,
// StripeIdempotencyError… (its Error.js picks the class by status and type).
import { PaylabError } from '../../engine/errors.js'
import type { Answer } from '../../engine/answers.js'

export interface StripeErrorBody {
  type: 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error'
  message: string
  code?: string | undefined
  decline_code?: string | undefined
  param?: string | undefined
  [extra: string]: unknown
}

/** An error answered in Stripe's format. */
export class StripeApiError extends Error {
  readonly statusCode: number
  readonly body: StripeErrorBody
  readonly headers: Record<string, string>

  constructor (statusCode: number, body: StripeErrorBody, headers: Record<string, string> = {}) {
    super(body.message)
    this.name = 'StripeApiError'
    this.statusCode = statusCode
    this.body = body
    this.headers = headers
  }
}

export const invalidRequest = (message: string, param?: string, code?: string, status = 400): StripeApiError =>
  new StripeApiError(status, { type: 'invalid_request_error', message, ...(code === undefined ? {} : { code }), ...(param === undefined ? {} : { param }) })

export const noSuch = (what: string, id: string, param = 'id'): StripeApiError =>
  invalidRequest(`No such ${what}: '${id}'`, param, 'resource_missing', 404)

/** The parameter a paylab error names (details.field), as Stripe names it. */
function paramOf (err: PaylabError, rename: Readonly<Record<string, string>>): string | undefined {
  const field = err.details.field
  if (typeof field !== 'string') return undefined
  return Object.hasOwn(rename, field) ? rename[field] : field
}

const UNEXPECTED_STATE = new Set(['PAYLAB_INVALID_STATE_TRANSITION', 'PAYLAB_PAYMENT_ALREADY_SUCCEEDED'])

/** paylab's error codes as Stripe answers them. `rename` maps paylab field names to the route's parameters. */
export function fromPaylab (err: PaylabError, rename: Readonly<Record<string, string>> = {}): StripeApiError {
  const param = paramOf(err, rename)
  switch (err.code) {
    case 'PAYLAB_PAYMENT_NOT_FOUND': return noSuch('payment_intent', typeof err.details.payment_id === 'string' ? err.details.payment_id : '', param ?? 'intent')
    case 'PAYLAB_REFUND_NOT_FOUND': return noSuch('refund', typeof err.details.refund_id === 'string' ? err.details.refund_id : '', param ?? 'id')
    case 'PAYLAB_CARD_NUMBER_INVALID': return new StripeApiError(402, { type: 'card_error', code: 'incorrect_number', decline_code: 'incorrect_number', message: 'Your card number is incorrect.', param: 'number' })
    case 'PAYLAB_CARD_EXPIRY_INVALID': return new StripeApiError(402, { type: 'card_error', code: 'invalid_expiry_year', message: err.message, param: 'exp_year' })
    case 'PAYLAB_IDEMPOTENCY_CONFLICT': return new StripeApiError(400, { type: 'idempotency_error', message: 'Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than the one used before.' })
    case 'PAYLAB_CAPTURE_AMOUNT_EXCEEDED': return invalidRequest(err.message, 'amount_to_capture', 'amount_too_large')
    case 'PAYLAB_REFUND_AMOUNT_EXCEEDED':
      return err.details.refundable === 0 || err.message.includes('fully refunded')
        ? invalidRequest('Charge has already been refunded.', undefined, 'charge_already_refunded')
        : invalidRequest(err.message, 'amount', 'amount_too_large')
    case 'PAYLAB_AMOUNT_INVALID': return invalidRequest(err.message, param ?? 'amount', 'parameter_invalid_integer')
    case 'PAYLAB_CURRENCY_UNSUPPORTED': return invalidRequest(err.message, 'currency', 'parameter_invalid_string')
    case 'PAYLAB_NOTIFY_URL_NOT_ALLOWED': return invalidRequest(err.message, param ?? 'url', 'url_invalid')
    case 'PAYLAB_SIMULATED_FAULT':
      return err.statusCode === 429
        ? new StripeApiError(429, { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly (a paylab sandbox fault).' })
        : new StripeApiError(err.statusCode, { type: 'api_error', message: `${err.message} (a paylab sandbox fault)` })
  }
  if (UNEXPECTED_STATE.has(err.code)) return invalidRequest(err.message, param, 'payment_intent_unexpected_state')
  if (err.statusCode === 409) return invalidRequest(err.message, param, 'resource_conflict', 409)
  if (err.statusCode < 500) return invalidRequest(err.message, param, 'parameter_invalid', err.statusCode)
  return new StripeApiError(500, { type: 'api_error', message: 'An error occurred with our connection to Stripe (a paylab error; the request id says which).' })
}

/** Any error thrown in the profile's scope, as Stripe would answer it. */
export function toStripeError (err: unknown): StripeApiError | undefined {
  if (err instanceof StripeApiError) return err
  if (err instanceof PaylabError) return fromPaylab(err)
  const status = (err as { statusCode?: unknown }).statusCode
  // Fastify's own refusals (body too large, unsupported content type, bad JSON in a header…).
  if (typeof status === 'number' && status >= 400 && status < 500) return invalidRequest((err as Error).message, undefined, undefined, status)
  return undefined
}

export function errorAnswer (err: StripeApiError, requestId: string): Answer {
  return { status: err.statusCode, body: JSON.stringify({ error: { ...err.body, request_id: requestId } }), headers: err.headers }
}
