// Checking a notification the way a receiver must: on the raw bytes, before parsing.
import { PaylabSignatureError } from './errors.js'
import { headerValue, verifySigned, type HeaderBag } from './signing.js'
import type { GatewayKey, PaylabEvent } from './types.js'

export interface NotificationVerifyOptions {
  /** The merchant's HMAC secret (HMAC-signed notifications). */
  secret?: string | undefined
  /** Gateway keys (RSA-signed notifications). */
  gatewayKeys?: Array<Pick<GatewayKey, 'id' | 'public_key'>> | undefined
  toleranceSec?: number
  now?: () => number
}

/**
 * Verifies a notification's signature and timestamp over its raw body and returns the typed
 * event. Throws PaylabSignatureError for anything that does not verify: answer 400 to it.
 */
export function verifyNotification (rawBody: Buffer | string, headers: HeaderBag, opts: NotificationVerifyOptions): PaylabEvent {
  const raw = typeof rawBody === 'string' ? Buffer.from(rawBody) : rawBody
  verifySigned(raw, headers, {
    secret: opts.secret,
    keys: new Map((opts.gatewayKeys ?? []).map((k) => [k.id, k])),
    toleranceSec: opts.toleranceSec ?? 300,
    nowSec: Math.floor((opts.now ?? Date.now)() / 1000)
  })
  let event: PaylabEvent
  try {
    event = JSON.parse(raw.toString('utf8')) as PaylabEvent
  } catch {
    throw new PaylabSignatureError('the notification body is not JSON')
  }
  const idHeader = headerValue(headers, 'paylab-event-id')
  if (event?.object !== 'event' || typeof event.id !== 'string' || (idHeader != null && idHeader !== event.id)) {
    throw new PaylabSignatureError('the notification is not a paylab event, or its Paylab-Event-Id does not match its body')
  }
  return event
}
