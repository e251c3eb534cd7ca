// Request authentication and answer signing for /v1/*: the protocol of docs/protocol.md.
import { realClock, unixSeconds, VirtualClock, type Clock } from './clock.js'
import type { EngineContext } from './context.js'
import { rsaSha256SignSoon, whenReady } from './crypto.js'
import {
  AUTH_HEADER_INVALID, AUTH_HEADERS_MISSING, MERCHANT_UNKNOWN, REPLAYED_REQUEST, SIGNATURE_INVALID,
  SIGNATURE_TYPE_UNAVAILABLE, TIMESTAMP_OUT_OF_RANGE
} from './errors.js'
import { activeKey } from './keys.js'
import { nonceKey, type NonceCache } from './nonces.js'
import { DECOY_TEST_ONLY_PRIVATE_KEY } from './decoy-key.js'
import {
  answerStringToSign, createSignature, NONCE_PATTERN, SIGNATURE_TYPES, signedData, verifySignature,
  type SignatureType
} from './signing.js'
import type { Merchant } from './types.js'

export type Headers = Record<string, string | string[] | undefined>

export interface SignedRequest {
  method: string
  pathWithQuery: string
  headers: Headers
  body: Buffer
}

export interface Identity {
  merchant: Merchant
  /** The type answers are signed with: the request's when valid, else the merchant's default. */
  signatureType: SignatureType
}

/**
 * The clock of signatures. On a virtual clock, business time (expiry, retries) is simulated, but
 * timestamps stay on real time: a merchant or receiver with an ordinary clock must be able to
 * sign and verify after the sandbox has moved on by hours. Any other clock is both.
 */
export function signingClock (ctx: EngineContext): Clock {
  return ctx.clock instanceof VirtualClock ? realClock : ctx.clock
}

export const header = (headers: Headers, name: string): string | undefined => {
  const v = headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

function signatureTypeOf (value: string | undefined): SignatureType | undefined {
  return SIGNATURE_TYPES.find((t) => t === value)
}

/** Who is asking, before any check: lets even a rejection be signed for a known merchant. */
export function identify (ctx: EngineContext, headers: Headers): Identity | undefined {
  const id = header(headers, 'paylab-merchant')
  const merchant = id === undefined ? undefined : ctx.db.get('merchants', id)
  if (merchant === undefined) return undefined
  const type = signatureTypeOf(header(headers, 'paylab-signature-type'))
  const usable = type === 'RSA-SHA256' && merchant.rsa_public_key === null ? undefined : type
  return { merchant, signatureType: usable ?? merchant.answer_signature_type }
}

const SIGNING_HEADERS = ['Paylab-Merchant', 'Paylab-Timestamp', 'Paylab-Nonce', 'Paylab-Signature-Type', 'Paylab-Signature']

const first = (v: string | string[] | undefined): string | undefined => Array.isArray(v) ? v[0] : v

/**
 * `trace.signed` receives what the gateway computed the signature over (for the journal), valid
 * or not: text for a request without a body, else bytes; decoding it is left to whoever reads it.
 */
export function authenticate (ctx: EngineContext, nonces: NonceCache, req: SignedRequest, trace?: { signed?: Buffer | string }): Identity {
  const h = req.headers
  const merchantId = first(h['paylab-merchant'])
  const timestamp = first(h['paylab-timestamp'])
  const nonce = first(h['paylab-nonce'])
  const signatureType = first(h['paylab-signature-type'])
  const signature = first(h['paylab-signature'])
  if (!merchantId || !timestamp || !nonce || !signatureType || !signature) {
    const missing = SIGNING_HEADERS.filter((name) => (header(h, name) ?? '') === '')
    throw AUTH_HEADERS_MISSING(`missing signing header(s): ${missing.join(', ')}`, { headers: missing })
  }

  const merchant = ctx.db.get('merchants', merchantId)
  if (merchant === undefined) throw MERCHANT_UNKNOWN(`no merchant has the id ${JSON.stringify(merchantId)}`, { header: 'Paylab-Merchant' })

  const type = signatureTypeOf(signatureType)
  if (type === undefined) throw AUTH_HEADER_INVALID(`Paylab-Signature-Type must be one of ${SIGNATURE_TYPES.join(', ')}`, { header: 'Paylab-Signature-Type' })
  if (type === 'RSA-SHA256' && merchant.rsa_public_key === null) throw SIGNATURE_TYPE_UNAVAILABLE(undefined, { header: 'Paylab-Signature-Type' })

  if (!/^\d{1,12}$/.test(timestamp)) throw AUTH_HEADER_INVALID('Paylab-Timestamp must be unix time in whole seconds', { header: 'Paylab-Timestamp' })
  const now = unixSeconds(signingClock(ctx))
  const tolerance = ctx.config.timestampToleranceSec
  // On a virtual clock a timestamp taken from the gateway's own clock (GET /admin/clock) is fine too.
  const near = (t: number) => Math.abs(t - Number(timestamp)) <= tolerance
  const virtualNow = unixSeconds(ctx.clock)
  if (!near(now) && !near(virtualNow)) {
    const virtual = ctx.clock instanceof VirtualClock ? { virtual_time: unixSeconds(ctx.clock) } : {}
    throw TIMESTAMP_OUT_OF_RANGE(`Paylab-Timestamp ${timestamp} is more than ${tolerance} s from the gateway clock (${now})`, { header: 'Paylab-Timestamp', gateway_time: now, ...virtual })
  }

  if (!NONCE_PATTERN.test(nonce)) throw AUTH_HEADER_INVALID('Paylab-Nonce must be 16–64 characters of A–Z, a–z, 0–9, _ and -', { header: 'Paylab-Nonce' })

  const data = signedData(req.method, req.pathWithQuery, timestamp, nonce, req.body)
  if (trace !== undefined) trace.signed = data
  const keys = { hmacSecret: merchant.hmac_secret, rsaPublicKeyPem: merchant.rsa_public_key ?? undefined }
  if (!verifySignature(ctx.crypto, type, keys, data, signature)) {
    const hint = ctx.config.signatureHints ? { string_to_sign: data.toString() } : {}
    throw SIGNATURE_INVALID(undefined, { signature_type: type, ...hint })
  }
  // Only a correctly signed request consumes its nonce, so nobody can burn a merchant's nonces.
  if (!claimNonce(ctx, nonces, merchant.id, nonce, Number(timestamp), req.method)) throw REPLAYED_REQUEST(undefined, { header: 'Paylab-Nonce' })
  return { merchant, signatureType: type }
}

/**
 * Replay protection, for paylab's requests and every profile's: true the first time `nonce` is
 * seen for `scope` while its timestamp (unix s) can be accepted. A mutation's nonce is stored with
 * the mutation: its commit makes both durable, or neither, and a restart still refuses the
 * request. A read changes nothing and costs no write.
 */
export function claimNonce (ctx: EngineContext, nonces: NonceCache, scope: string, nonce: string, timestamp: number, method: string): boolean {
  const key = nonceKey(scope, nonce)
  if (!nonces.remember(key, timestamp, nonceHorizon(ctx))) return false
  if (method !== 'GET' && method !== 'HEAD') ctx.db.put('nonces', key, { id: key, timestamp })
  return true
}

/** Timestamps before this (unix s) can never be accepted again, on any clock the gateway reads. */
export function nonceHorizon (ctx: EngineContext): number {
  return Math.min(unixSeconds(signingClock(ctx)), unixSeconds(ctx.clock)) - ctx.config.timestampToleranceSec
}


/** Ways the sandbox signs an answer wrong on purpose (the answer-side transport faults). */
export type SigningFault = { kind: 'bad_signature' } | { kind: 'unknown_key' } | { kind: 'stale_timestamp', seconds: number }

/** The headers that sign an answer (or a notification) body for a merchant. */
export function signAnswer (ctx: EngineContext, identity: Identity, body: Buffer | string, nonce: string, fault?: SigningFault): Record<string, string> {
  const { headers, data, rsaKey } = answerHeaders(ctx, identity, body, nonce, fault)
  headers['Paylab-Signature'] = rsaKey !== undefined
    ? createSignature(ctx.crypto, 'RSA-SHA256', { rsaPrivateKeyPem: rsaKey }, data)
    : createSignature(ctx.crypto, 'HMAC-SHA256', { hmacSecret: identity.merchant.hmac_secret }, data)
  if (fault?.kind === 'bad_signature') headers['Paylab-Signature'] = corrupt(headers['Paylab-Signature'])
  return headers
}

/**
 * signAnswer, with an RSA signature made through the provider's async form when it has one
 * (off the event loop with the gateway's worker pool); an HMAC one is made at once, with no
 * promise. `fault` acts as in signAnswer (notifications' faults: an `unknown_key` is RSA too).
 */
export function signAnswerAsync (ctx: EngineContext, identity: Identity, body: Buffer | string, nonce: string, fault?: SigningFault): Record<string, string> | Promise<Record<string, string>> {
  if (identity.signatureType !== 'RSA-SHA256' && fault?.kind !== 'unknown_key') return signAnswer(ctx, identity, body, nonce, fault)
  const { headers, data, rsaKey } = answerHeaders(ctx, identity, body, nonce, fault)
  if (rsaKey === undefined) return signAnswer(ctx, identity, body, nonce, fault)
  return whenReady(rsaSha256SignSoon(ctx.crypto, rsaKey, data), (signature) => {
    const b64 = signature.toString('base64')
    headers['Paylab-Signature'] = fault?.kind === 'bad_signature' ? corrupt(b64) : b64
    return headers
  })
}

/** The answer's signing headers bar the signature, what it signs, and the RSA key to sign with (none: HMAC). */
function answerHeaders (ctx: EngineContext, identity: Identity, body: Buffer | string, nonce: string, fault?: SigningFault): { headers: Record<string, string>, data: Buffer | string, rsaKey: string | undefined } {
  const skew = fault?.kind === 'stale_timestamp' ? fault.seconds : 0
  const timestamp = String(unixSeconds(signingClock(ctx)) - skew)
  const data = answerStringToSign(timestamp, nonce, body)
  const type = fault?.kind === 'unknown_key' ? 'RSA-SHA256' : identity.signatureType
  const headers: Record<string, string> = {
    'Paylab-Timestamp': timestamp,
    'Paylab-Nonce': nonce,
    'Paylab-Signature-Type': type
  }
  if (type !== 'RSA-SHA256') return { headers, data, rsaKey: undefined }
  const key = fault?.kind === 'unknown_key' ? DECOY : activeKey(ctx)
  headers['Paylab-Key-Id'] = key.id
  return { headers, data, rsaKey: key.private_key }
}

/** A signature of the right shape that does not verify. */
export function corrupt (signature: string): string {
  const bytes = Buffer.from(signature, 'base64')
  bytes[0] = (bytes[0] as number) ^ 0xff
  return bytes.toString('base64')
}

/** A key that is never stored nor listed in /v1/keys: no merchant was ever given it. */
const DECOY = { id: 'key_unknown0000', private_key: DECOY_TEST_ONLY_PRIVATE_KEY }
