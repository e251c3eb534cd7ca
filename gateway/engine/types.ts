// The records the engine keeps. Storage adapters persist them as plain JSON.
import type { SignatureType } from './signing.js'
import type { Rule } from './rules.js'

export type PaymentStatus = 'requires_action' | 'processing' | 'authorized' | 'succeeded' | 'failed' | 'canceled'
export type MethodType = 'card' | 'wallet' | 'bank_transfer'
export type CaptureMode = 'automatic' | 'manual'

export interface Merchant {
  id: string
  name: string
  hmac_secret: string
  rsa_public_key: string | null
  notify_url: string | null
  /** The signature type of answers to requests that do not say (notifications, /pay). */
  answer_signature_type: SignatureType
  /** Seconds between notification attempts; null for the gateway's default schedule. */
  notify_retry_schedule: number[] | null
  /** Credentials per channel profile (`wechatpay`, …), as each profile stores them; opaque to the engine. */
  channels?: Record<string, unknown>
  created_at: string
  updated_at: string
}

export interface CardDetails {
  brand: string
  last4: string
  exp_month: number
  exp_year: number
  /** Keyed fingerprint of the number: the same card gives the same value, the number cannot be recovered. */
  fingerprint: string
}

export interface PaymentMethod {
  type: MethodType
  card?: CardDetails
  wallet?: { provider: string }
}

export interface Failure { code: string, message: string }

export interface NextAction { type: 'redirect', url: string }

export interface Payment {
  id: string
  object: 'payment'
  merchant_id: string
  merchant_order_id: string
  amount: number
  currency: string
  method: PaymentMethod
  capture: CaptureMode
  status: PaymentStatus
  amount_captured: number
  amount_refunded: number
  failure: Failure | null
  next_action: NextAction | null
  cancellation_reason: string | null
  description: string | null
  notify_url: string | null
  return_url: string | null
  metadata: Record<string, string>
  created_at: string
  updated_at: string
  expires_at: string | null
  /** The channel profile the payment was made through; absent for paylab's own (see channels.ts). */
  channel?: string
  /** A small record the payment's profile keeps with it (its trade type, app id…); opaque to the engine. */
  channel_data?: Record<string, string>
}

export interface Refund {
  id: string
  object: 'refund'
  merchant_id: string
  payment_id: string
  merchant_refund_id: string
  amount: number
  currency: string
  reason: string | null
  status: 'succeeded' | 'failed'
  failure: Failure | null
  created_at: string
}

export interface GatewayKey {
  id: string
  algorithm: 'RSA'
  status: 'active' | 'retiring'
  public_key: string
  private_key: string
  created_at: string
}

export interface IdempotencyRecord {
  /** merchant id, then the key. */
  id: string
  fingerprint: string
  status: number
  body: string
  created_at: number
}

/** The nonce of a signed mutation, kept while its timestamp is acceptable (see nonces.ts). */
export interface NonceRecord {
  /** merchant id, then the nonce. */
  id: string
  /** Paylab-Timestamp of the request, unix seconds. */
  timestamp: number
}

export interface Settings {
  id: 'settings'
  admin_token: string
  /** Keys the card fingerprints: stable per data dir, never shown. */
  fingerprint_secret: string
}

/** Work due at a time on the gateway clock. */
export interface Task {
  id: string
  at: number
  seq: number
  kind: 'payment.expire' | 'payment.resolve' | 'event.deliver'
  /** The object the task is about (a payment id, an event id). */
  ref: string
  data: Record<string, unknown>
}

/** What a payment waiting for the buyer (3-D Secure, wallet, transfer) becomes once they act. */
export interface PendingAction {
  id: string
  /** `card_entry`: a card payment created with `entry: hosted`, waiting for the buyer's card. */
  kind: 'three_d_secure' | 'wallet' | 'bank_transfer' | 'card_entry'
  /** The outcome once the buyer completes the action (an Outcome of outcomes.ts); null while the card to be entered decides. */
  then: unknown
  /** An outcome a rule or header chose at creation: it still wins after the buyer picks another method or enters the card. */
  forced?: unknown
  expire_task: string
}

export type EventType =
  | 'payment.succeeded' | 'payment.failed' | 'payment.canceled' | 'payment.expired' | 'payment.authorized' | 'payment.captured'
  | 'refund.succeeded' | 'refund.failed'
  /** Optional: only for channels whose codec asks for it (NotificationCodec.notifies). */
  | 'payment.requires_action'

export interface DeliveryAttempt {
  attempt: number
  at: string
  url: string
  status_code: number | null
  latency_ms: number
  error: string | null
  /** The notification fault applied to this attempt, if any. */
  fault: string | null
  next_attempt_at: string | null
  /** The start of the receiver's answer body (200 characters), when one was read. */
  answer?: string | null
}

/** An event and its delivery state: the outbox row. */
export interface NotificationEvent {
  id: string
  object: 'event'
  type: EventType
  merchant_id: string
  created: string
  /** The payment the event is about (a refund's payment too), for ordering and filters. */
  payment_id: string
  merchant_order_id: string
  /**
   * The payment or refund as it was when the event was made: the body's `data.object`. The body
   * every attempt sends is rebuilt from it (eventBody in events.ts), byte for byte the same each
   * time: records are replaced on update, never changed in place, so this is the record of that
   * moment — often the very one the payments table still holds, and then no second copy.
   */
  data_object: Payment | Refund
  /** The exact body of an event an older version stored, when it is not what data_object rebuilds (see records.ts). */
  body?: string
  notify_url: string | null
  status: 'pending' | 'held' | 'delivered' | 'failed' | 'dropped'
  fault: string | null
  attempts: DeliveryAttempt[]
  next_attempt_at: string | null
  delivered_at: string | null
  /** The channel profile that encodes the event (the payment's); absent for paylab's own. */
  channel?: string
}

/** The virtual clock's time, shared by the gateways of one database (a shared store only). */
export interface ClockRecord { id: 'clock', now_ms: number }

export interface Tables {
  merchants: Merchant
  payments: Payment
  refunds: Refund
  keys: GatewayKey
  idempotency: IdempotencyRecord
  settings: Settings
  tasks: Task
  pending: PendingAction
  events: NotificationEvent
  nonces: NonceRecord
  /** Sandbox rules, with their hit counts: records in a shared store only (see rules.ts). */
  rules: Rule
  clock: ClockRecord
}
export type TableName = keyof Tables
export const TABLE_NAMES: readonly TableName[] = ['merchants', 'payments', 'refunds', 'keys', 'idempotency', 'settings', 'tasks', 'pending', 'events', 'nonces', 'rules', 'clock']
