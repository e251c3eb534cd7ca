// Client options, checked when the client is made: a typo fails at once, not at the first payment.
import type { GatewayKey, SignatureType } from './types.js'

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export interface PaylabClientOptions {
  baseUrl: string
  merchantId: string
  signatureType?: SignatureType
  /** HMAC secret (HMAC-SHA256); also verifies HMAC-signed answers. */
  secret?: string
  /** PEM private key (RSA-SHA256). */
  privateKey?: string
  /** Pinned gateway public keys; without them the client fetches GET /v1/keys when it needs one. */
  gatewayKeys?: Array<Pick<GatewayKey, 'id' | 'public_key'>>
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  /** Largest distance between an answer's timestamp and this clock. */
  toleranceSec?: number
  /** Where a create's notifications go unless it says otherwise. */
  notifyUrl?: string
  /** For tests: the fetch to use (msw intercepts the global one anyway), a clock, a random source. */
  fetch?: typeof fetch
  now?: () => number
  random?: () => number
}

export type ResolvedOptions = Required<Omit<PaylabClientOptions, 'secret' | 'privateKey' | 'gatewayKeys' | 'notifyUrl' | 'retry'>> &
  Pick<PaylabClientOptions, 'secret' | 'privateKey' | 'gatewayKeys' | 'notifyUrl'> & { retry: RetryPolicy }

const KNOWN = new Set(['baseUrl', 'merchantId', 'signatureType', 'secret', 'privateKey', 'gatewayKeys', 'timeoutMs', 'retry', 'toleranceSec', 'notifyUrl', 'fetch', 'now', 'random'])

export function resolveOptions (o: PaylabClientOptions): ResolvedOptions {
  const unknown = Object.keys(o).filter((k) => !KNOWN.has(k))
  if (unknown.length > 0) throw new TypeError(`PaylabClient: unknown option(s) ${unknown.join(', ')}`)
  let url: URL
  try { url = new URL(o.baseUrl) } catch { throw new TypeError('PaylabClient: baseUrl must be an absolute URL') }
  // Paths are signed as sent: a prefix in baseUrl would be dropped silently, so it is refused.
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new TypeError('PaylabClient: baseUrl must be an http(s) origin such as https://gateway.example, without a path')
  }
  if (typeof o.merchantId !== 'string' || o.merchantId === '') throw new TypeError('PaylabClient: merchantId is required')
  const signatureType = o.signatureType ?? 'HMAC-SHA256'
  if (signatureType !== 'HMAC-SHA256' && signatureType !== 'RSA-SHA256') throw new TypeError('PaylabClient: signatureType must be HMAC-SHA256 or RSA-SHA256')
  if (signatureType === 'HMAC-SHA256' && (o.secret ?? '') === '') {
    // Most often the secret comes from the environment and the variable is not set.
    throw new TypeError(`PaylabClient: the secret option is ${o.secret === undefined ? 'missing' : 'empty'}; HMAC-SHA256 signs with the merchant's HMAC secret ` +
      '(the README reads it from the environment variable PAYLAB_SECRET: set it to the "HMAC secret" that npm start prints)')
  }
  if (signatureType === 'RSA-SHA256' && (o.privateKey ?? '') === '') throw new TypeError('PaylabClient: RSA-SHA256 needs privateKey')
  const retry = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5000, ...o.retry }
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) throw new TypeError('PaylabClient: retry.maxAttempts must be a whole number ≥ 1')
  const unknownRetry = Object.keys(o.retry ?? {}).filter((k) => !['maxAttempts', 'baseDelayMs', 'maxDelayMs'].includes(k))
  if (unknownRetry.length > 0) throw new TypeError(`PaylabClient: unknown retry option(s) ${unknownRetry.join(', ')}`)
  if (!(retry.baseDelayMs >= 0) || !(retry.maxDelayMs >= 0)) throw new TypeError('PaylabClient: retry.baseDelayMs and retry.maxDelayMs must be numbers ≥ 0')
  if (o.gatewayKeys !== undefined && (!Array.isArray(o.gatewayKeys) || o.gatewayKeys.length === 0 ||
    !o.gatewayKeys.every((k) => typeof k?.id === 'string' && typeof k.public_key === 'string'))) {
    throw new TypeError('PaylabClient: gatewayKeys must be a non-empty list of {id, public_key} (leave it out to fetch GET /v1/keys)')
  }
  if (o.toleranceSec !== undefined && !(o.toleranceSec > 0)) throw new TypeError('PaylabClient: toleranceSec must be > 0')
  const timeoutMs = o.timeoutMs ?? 10_000
  if (!(timeoutMs > 0)) throw new TypeError('PaylabClient: timeoutMs must be > 0')
  return {
    ...o,
    baseUrl: url.origin,
    signatureType,
    timeoutMs,
    retry,
    toleranceSec: o.toleranceSec ?? 300,
    fetch: o.fetch ?? ((...args) => fetch(...args)),
    now: o.now ?? Date.now,
    random: o.random ?? Math.random
  }
}
