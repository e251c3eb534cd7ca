// The one registry of the gateway's error codes. Every code here is documented in
// docs/errors.md (a test keeps the two in step); codes are a public contract, never renamed.

export interface ErrorDefinition {
  readonly code: string
  readonly statusCode: number
  readonly message: string
}

export class PaylabError extends Error {
  readonly code: string
  readonly statusCode: number
  /** Extra, documented fields sent beside code and message (e.g. `field`, `string_to_sign`). */
  readonly details: Record<string, unknown>

  constructor (def: ErrorDefinition, message?: string, details: Record<string, unknown> = {}) {
    super(message ?? def.message)
    this.name = 'PaylabError'
    this.code = def.code
    this.statusCode = def.statusCode
    this.details = details
  }
}

export const errorRegistry = new Map<string, ErrorDefinition>()

export interface ErrorFactory extends ErrorDefinition {
  (message?: string, details?: Record<string, unknown>): PaylabError
}

function createError (code: string, message: string, statusCode: number): ErrorFactory {
  if (errorRegistry.has(code)) throw new Error(`duplicate error code ${code}`)
  const def = { code, message, statusCode }
  errorRegistry.set(code, def)
  const factory = (msg?: string, details?: Record<string, unknown>) => new PaylabError(def, msg, details)
  return Object.assign(factory, def)
}

// Authentication and signing
export const AUTH_HEADERS_MISSING = createError('PAYLAB_AUTH_HEADERS_MISSING', 'The request lacks the signing headers Paylab-Merchant, Paylab-Timestamp, Paylab-Nonce, Paylab-Signature-Type and Paylab-Signature', 401)
export const AUTH_HEADER_INVALID = createError('PAYLAB_AUTH_HEADER_INVALID', 'A signing header is malformed', 401)
export const MERCHANT_UNKNOWN = createError('PAYLAB_MERCHANT_UNKNOWN', 'No merchant has the id given in Paylab-Merchant', 401)
export const TIMESTAMP_OUT_OF_RANGE = createError('PAYLAB_TIMESTAMP_OUT_OF_RANGE', 'Paylab-Timestamp is too far from the gateway clock; sync your clock and sign again', 401)
export const REPLAYED_REQUEST = createError('PAYLAB_REPLAYED_REQUEST', 'This Paylab-Nonce was already used inside the timestamp window; use a fresh nonce for every request', 401)
export const SIGNATURE_INVALID = createError('PAYLAB_SIGNATURE_INVALID', 'The request signature does not match; compare your string to sign with string_to_sign', 401)
export const SIGNATURE_TYPE_UNAVAILABLE = createError('PAYLAB_SIGNATURE_TYPE_UNAVAILABLE', 'The merchant has no key for this signature type; register an RSA public key or use HMAC-SHA256', 401)
export const ADMIN_UNAUTHORIZED = createError('PAYLAB_ADMIN_UNAUTHORIZED', 'The admin API needs Authorization: Bearer <admin token>', 401)
export const DASHBOARD_CSRF_INVALID = createError('PAYLAB_DASHBOARD_CSRF_INVALID', 'A dashboard form or action came without the CSRF token of its session; reload the page and try again', 403)

// Request shape
export const VALIDATION_FAILED = createError('PAYLAB_VALIDATION_FAILED', 'The request does not match the API schema', 400)
export const MALFORMED_JSON = createError('PAYLAB_MALFORMED_JSON', 'The request body is not valid JSON', 400)
export const BODY_TOO_LARGE = createError('PAYLAB_BODY_TOO_LARGE', 'The request body is larger than 1 MB', 413)
export const UNSUPPORTED_MEDIA_TYPE = createError('PAYLAB_UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json', 415)
export const ROUTE_NOT_FOUND = createError('PAYLAB_ROUTE_NOT_FOUND', 'No such route; see /openapi.json for the API', 404)
export const BAD_REQUEST = createError('PAYLAB_BAD_REQUEST', 'The HTTP request is malformed', 400)
export const REQUEST_TIMEOUT = createError('PAYLAB_REQUEST_TIMEOUT', 'The request headers or body were not received in time', 408)
export const CURSOR_INVALID = createError('PAYLAB_CURSOR_INVALID', 'starting_after does not name an object of this list', 400)

// Money and cards
export const CURRENCY_UNSUPPORTED = createError('PAYLAB_CURRENCY_UNSUPPORTED', 'The currency is not a supported ISO 4217 code', 400)
export const AMOUNT_INVALID = createError('PAYLAB_AMOUNT_INVALID', 'The amount is not a valid amount for its currency', 400)
export const CARD_PLAINTEXT_REFUSED = createError('PAYLAB_CARD_PLAINTEXT_REFUSED', 'Card details must be encrypted for the gateway key (method.card.encrypted); plaintext cards need a gateway started with --allow-plaintext-cards', 400)
export const CARD_ENCRYPTION_INVALID = createError('PAYLAB_CARD_ENCRYPTION_INVALID', 'The encrypted card could not be decrypted with the named gateway key', 400)
export const CARD_NUMBER_INVALID = createError('PAYLAB_CARD_NUMBER_INVALID', 'The card number is not a valid card number (Luhn check failed)', 400)
export const CARD_EXPIRY_INVALID = createError('PAYLAB_CARD_EXPIRY_INVALID', 'The card expiry month or year is invalid or in the past', 400)

// Resources and lifecycle
export const PAYMENT_NOT_FOUND = createError('PAYLAB_PAYMENT_NOT_FOUND', 'No payment of this merchant has that id', 404)
export const REFUND_NOT_FOUND = createError('PAYLAB_REFUND_NOT_FOUND', 'No refund of this merchant has that id', 404)
export const MERCHANT_NOT_FOUND = createError('PAYLAB_MERCHANT_NOT_FOUND', 'No merchant has that id', 404)
export const MERCHANT_EXISTS = createError('PAYLAB_MERCHANT_EXISTS', 'A merchant with that id already exists', 409)
export const RSA_KEY_INVALID = createError('PAYLAB_RSA_KEY_INVALID', 'rsa_public_key is not a PEM RSA public key of at least 2048 bits', 400)
export const INVALID_STATE_TRANSITION = createError('PAYLAB_INVALID_STATE_TRANSITION', 'The payment is not in a state that allows this action', 409)
export const PAYMENT_ALREADY_SUCCEEDED = createError('PAYLAB_PAYMENT_ALREADY_SUCCEEDED', 'The payment has succeeded and can no longer be canceled; refund it instead', 409)
export const CAPTURE_AMOUNT_EXCEEDED = createError('PAYLAB_CAPTURE_AMOUNT_EXCEEDED', 'The capture amount is larger than the authorized amount', 409)
export const REFUND_AMOUNT_EXCEEDED = createError('PAYLAB_REFUND_AMOUNT_EXCEEDED', 'The refund would exceed the amount captured minus what is already refunded', 409)
export const IDEMPOTENCY_CONFLICT = createError('PAYLAB_IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was used with a different request; use a new key for a new request', 409)
export const ORDER_ID_CONFLICT = createError('PAYLAB_ORDER_ID_CONFLICT', 'A payment with this merchant_order_id exists with different parameters', 409)
export const REFUND_ID_CONFLICT = createError('PAYLAB_REFUND_ID_CONFLICT', 'A refund with this merchant_refund_id exists with different parameters', 409)
export const CLOCK_NOT_VIRTUAL = createError('PAYLAB_CLOCK_NOT_VIRTUAL', 'The gateway runs on the real clock; start it with --clock virtual to move time by hand', 409)
export const EVENT_NOT_FOUND = createError('PAYLAB_EVENT_NOT_FOUND', 'No notification event has that id', 404)
export const JOURNAL_ENTRY_NOT_FOUND = createError('PAYLAB_JOURNAL_ENTRY_NOT_FOUND', 'The journal holds no entry with that number (it keeps the newest 10 000)', 404)
export const RULE_NOT_FOUND = createError('PAYLAB_RULE_NOT_FOUND', 'No rule has that id', 404)
export const SIMULATED_FAULT = createError('PAYLAB_SIMULATED_FAULT', 'A sandbox fault was asked for (Paylab-Scenario header, magic amount or rule); nothing was processed', 500)
export const NOTIFY_URL_NOT_ALLOWED = createError('PAYLAB_NOTIFY_URL_NOT_ALLOWED', 'notify_url must be http(s) and target an allowed host', 400)

// The source document's /pay client
export const PAY_SIGNATURE_INVALID = createError('PAYLAB_PAY_SIGNATURE_INVALID', 'The Signature header is not the lowercase hex HMAC-SHA256 of the raw body under the seed merchant secret', 401)

// The gateway itself
export const STORAGE_UNAVAILABLE = createError('PAYLAB_STORAGE_UNAVAILABLE', 'The gateway could not store the request (its disk is full); nothing was changed, retry after Retry-After seconds', 503)
export const INTERNAL = createError('PAYLAB_INTERNAL', 'The gateway failed unexpectedly; this is a paylab bug, please report it with the request id', 500)
