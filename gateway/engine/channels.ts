// What the engine needs from a channel profile, without knowing any: how the profile's
// notifications go on the wire (and when they count as received, and when they are retried), and
// how the profile's merchant credentials are checked, completed and shown. The gateway registers
// one ChannelParts per profile when it builds the engine; the engine imports no profile.
import type { CryptoProvider } from './crypto.js'
import type { NotificationFault } from './notification-faults.js'
import type { EventType, Merchant, NotificationEvent, Payment, Refund } from './types.js'

/** The profile of payments made through paylab's own protocol, and of every record that names none. */
export const DEFAULT_CHANNEL = 'paylab'

export const channelOf = (record: { channel?: string | undefined }): string => record.channel ?? DEFAULT_CHANNEL

export interface DeliveryRequest { url: string, headers: Record<string, string>, body: string }

/** One notification attempt to put on the wire. */
export interface NotificationInput {
  event: NotificationEvent
  /** The payment or refund as it was when the event was made (the event body's `data.object`). */
  object: Payment | Refund
  merchant: Merchant
  url: string
  /** 1 for the first attempt. */
  attempt: number
  /** A notification fault for this attempt, if any: the codec acts out the signing and body faults. */
  fault: NotificationFault | undefined
  env: ChannelEnv
}

export interface ChannelEnv {
  crypto: CryptoProvider
  /** Milliseconds on the clock signatures use (real time, even under a virtual clock). */
  signingNow: number
  /** Milliseconds on the engine clock (business time). */
  now: number
  /** Host globs a notification URL may target (the gateway's --notify-hosts; urls.ts checkNotifyUrl). */
  notifyHosts: readonly string[]
}

export interface NotificationCodec {
  /**
   * Whether the channel notifies this kind of event at all (WeChat Pay has no notification of a
   * failed payment; Stripe also notifies payment.requires_action). Default: every type but the
   * optional ones (events.ts OPTIONAL_EVENTS), which only a channel that asks for them gets.
   */
  notifies?: (type: EventType) => boolean
  /**
   * URL, headers and body of one attempt; signed (and encrypted) as the channel does. A promise
   * when the signature is made off the event loop (the provider's async form, as WeChat Pay's).
   */
  encode (input: NotificationInput): DeliveryRequest | Promise<DeliveryRequest>
  /** Whether the receiver's answer acknowledges the notification (else it is retried). */
  acknowledged (status: number, body: string): boolean
  /** Seconds between attempts; a merchant's own notify_retry_schedule still wins. Undefined: the gateway's default. */
  retrySchedule?: readonly number[]
  /** How long a receiver has to answer, in ms; undefined: the gateway's default. */
  timeoutMs?: number
  /**
   * Where the channel's notifications go, for a channel that keeps its own endpoint in the
   * merchant's credentials (Stripe's webhook endpoints); null when the merchant has none.
   * Undefined: the payment's notify_url, else the merchant's.
   */
  destination?: (merchant: Merchant) => string | null
}

/** What POST/PATCH /admin/merchants give under `channels.<name>`, checked and completed by the profile. */
export interface CredentialsInput {
  /** The merchant being created or changed. */
  merchantId: string
  /** The object sent for this channel (not yet checked: the profile validates it). */
  input: unknown
  /** The stored credentials on PATCH; undefined on create. */
  current: unknown
  /** Stored credentials of this channel on the other merchants (for uniqueness checks). */
  others: ReadonlyArray<{ merchantId: string, stored: unknown }>
  env: ChannelEnv
}

export interface ChannelCredentials {
  /**
   * Checks the input, generates what is left out, and returns what to store and what the
   * create/update answer shows (secrets paylab generated are shown there once). Throws a
   * PaylabError (VALIDATION_FAILED with `field`) for bad input.
   */
  accept (input: CredentialsInput): { stored: unknown, shown: unknown }
  /** What GET /admin/merchants shows of stored credentials: never a secret. */
  view (stored: unknown): unknown
}

export interface ChannelParts {
  codec?: NotificationCodec
  credentials?: ChannelCredentials
}

export type ChannelRegistry = ReadonlyMap<string, ChannelParts>
