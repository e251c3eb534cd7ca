import type { Clock } from './clock.js'
import type { CryptoProvider } from './crypto.js'
import type { Db } from './db.js'
import type { Scheduler } from './scheduler.js'
import type { Payment, PaymentStatus, Refund } from './types.js'

/** What the engine announces; notifications (and tests) listen. */
export type EngineEvent =
  | { type: 'payment.changed', payment: Payment, previous: PaymentStatus }
  | { type: 'refund.changed', refund: Refund, payment: Payment }

export interface EngineConfig {
  /** Base URL the buyer's browser reaches the gateway at (for next_action links). */
  publicUrl: string
  /** Largest distance between Paylab-Timestamp and the gateway clock, in seconds. */
  timestampToleranceSec: number
  /** Put the gateway's string to sign in PAYLAB_SIGNATURE_INVALID answers (a sandbox hint). */
  signatureHints: boolean
  allowPlaintextCards: boolean
  /** Secret of the `seed` merchant that the source document's /pay client signs with. */
  seedSecret: string
  idempotencyTtlMs: number
  /** How long a payment waiting for the buyer stays open before it expires. */
  paymentExpiresInSec: number
  /** How long a `processing` payment takes to resolve. */
  processingDelaySec: number
  /** Host globs notify_url may target (`*` for any); loopback by default. */
  notifyHosts: string[]
  /** How long a notification receiver has to answer 2xx, in ms. */
  notifyTimeoutMs: number
  /** Seconds between delivery attempts: the default retry schedule. */
  notifyRetrySchedule: number[]
  /**
   * A shared store: how long a notification attempt is leased to the gateway making it (ms); by
   * default the attempt's timeout (times its copies) plus 5 s. Another gateway makes it once the
   * lease has run out without its result recorded (the gateway died).
   */
  deliveryLeaseMs?: number | undefined
  /** Admin token to use instead of the stored (or generated) one. */
  adminToken?: string | undefined
  /** The key pair a store without keys starts with instead of generating one (see sandbox-key.ts). */
  initialKey?: { publicKeyPem: string, privateKeyPem: string } | undefined
}

export const DEFAULT_CONFIG: EngineConfig = {
  publicUrl: 'http://127.0.0.1:7400',
  timestampToleranceSec: 300,
  signatureHints: true,
  allowPlaintextCards: false,
  seedSecret: 'your-api-key',
  idempotencyTtlMs: 24 * 3600 * 1000,
  paymentExpiresInSec: 15 * 60,
  processingDelaySec: 30,
  notifyHosts: ['localhost', '127.0.0.1', '::1', '[::1]', '*.localhost'],
  notifyTimeoutMs: 10_000,
  // Like the large channels: about a day in 15 attempts.
  notifyRetrySchedule: [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600]
}

export interface EngineContext {
  readonly db: Db
  readonly crypto: CryptoProvider
  readonly clock: Clock
  readonly config: EngineConfig
  readonly scheduler: Scheduler
  emit (event: EngineEvent): void
}
