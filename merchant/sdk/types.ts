// The channel's wire objects, as the merchant side sees them (from openapi.yaml). The merchant
// keeps its own copy, as any integrator would: it shares no code with the gateway.
export type SignatureType = 'HMAC-SHA256' | 'RSA-SHA256'
export type PaymentStatus = 'requires_action' | 'processing' | 'authorized' | 'succeeded' | 'failed' | 'canceled'

export interface Payment {
  id: string
  object: 'payment'
  merchant_id: string
  merchant_order_id: string
  amount: number
  currency: string
  method: { type: 'card' | 'wallet' | 'bank_transfer', card?: { brand: string, last4: string, exp_month: number, exp_year: number, fingerprint: string }, wallet?: { provider: string } }
  capture: 'automatic' | 'manual'
  status: PaymentStatus
  amount_captured: number
  amount_refunded: number
  failure: { code: string, message: string } | null
  next_action: { type: 'redirect', url: string } | null
  cancellation_reason: string | null
  description: string | null
  notify_url: string | null
  return_url: string | null
  metadata: Record<string, string>
  created_at: string
  updated_at: string
  expires_at: string | null
}

export interface Refund {
  id: string
  object: 'refund'
  payment_id: string
  merchant_refund_id: string
  amount: number
  currency: string
  reason: string | null
  status: 'succeeded' | 'failed'
  failure: { code: string, message: string } | null
  created_at: string
}

export interface List<T> { object: 'list', data: T[], has_more: boolean, next_cursor: string | null }

export interface GatewayKey { id: string, algorithm: 'RSA', status: 'active' | 'retiring', public_key: string, created_at: string }

export type EventType =
  | 'payment.succeeded' | 'payment.failed' | 'payment.canceled' | 'payment.expired' | 'payment.authorized' | 'payment.captured'
  | 'refund.succeeded' | 'refund.failed'

export interface PaylabEvent {
  id: string
  object: 'event'
  type: EventType
  created: string
  data: { object: Payment | Refund }
}

export interface CardInput { number: string, exp_month: number, exp_year: number, cvc: string, holder?: string }

/** A card encrypted for a gateway key (RSA-OAEP-256 wrapping AES-256-GCM), all fields base64 but key_id and alg. */
export interface CardEnvelope { key_id: string, alg: 'RSA-OAEP-256+A256GCM', encrypted_key: string, iv: string, ciphertext: string, tag: string }

export interface CreatePaymentParams {
  merchant_order_id: string
  amount: number
  currency: string
  method:
  // In clear (the SDK encrypts it), already encrypted (e.g. in the buyer's browser; sent as is),
  // or entered by the buyer on the gateway's hosted cashier (next_action).
  | { type: 'card', card: CardInput | { encrypted: CardEnvelope } | { entry: 'hosted' } }
  | { type: 'wallet', wallet?: { provider: string } }
  | { type: 'bank_transfer' }
  capture?: 'automatic' | 'manual'
  expires_in?: number
  description?: string
  notify_url?: string
  return_url?: string
  metadata?: Record<string, string>
}

export interface CreateRefundParams { merchant_refund_id: string, amount?: number, reason?: string }
