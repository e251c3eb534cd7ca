// One notification attempt as it goes on the wire, and which notification fault an event gets.
import { signAnswer, type SigningFault } from './auth.js'
import type { EngineContext } from './context.js'
import { tamper } from './events.js'
import { newId } from './ids.js'
import { NOTIFICATION_FAULT_AMOUNTS, NOTIFICATION_METADATA_KEY, parseNotificationFault, type NotificationFault } from './notification-faults.js'
import type { RuleBook } from './rules.js'
import type { Merchant, NotificationEvent } from './types.js'

export interface DeliveryRequest { url: string, headers: Record<string, string>, body: string }

/** A rule first, then the payment's metadata, then its amount. */
export function notificationFaultFor (rules: RuleBook, merchant: Merchant, type: string, payment: { merchant_order_id: string, amount: number, metadata: Record<string, string> }): NotificationFault | undefined {
  const ruled = rules.evaluateNotification({ merchantId: merchant.id, eventType: type, merchantOrderId: payment.merchant_order_id, amount: payment.amount })
  if (ruled !== undefined) return ruled.value
  const text = payment.metadata[NOTIFICATION_METADATA_KEY] ?? NOTIFICATION_FAULT_AMOUNTS[payment.amount]
  if (text === undefined) return undefined
  try {
    return parseNotificationFault(text, `metadata.${NOTIFICATION_METADATA_KEY}`)
  } catch {
    return undefined // an unknown trigger in metadata is ignored rather than failing the payment
  }
}

const SIGNING_FAULTS: Partial<Record<NotificationFault['name'], SigningFault>> = {
  bad_signature: { kind: 'bad_signature' },
  stale_timestamp: { kind: 'stale_timestamp', seconds: 3600 },
  unknown_key: { kind: 'unknown_key' }
}

/** Signed afresh for every attempt (new timestamp and nonce), like an answer. */
export function deliveryRequest (ctx: EngineContext, merchant: Merchant, event: NotificationEvent, url: string, attempt: number, fault: NotificationFault | undefined): DeliveryRequest {
  const signingFault = fault === undefined ? undefined : SIGNING_FAULTS[fault.name]
  const signed = signAnswer(ctx, { merchant, signatureType: merchant.answer_signature_type }, Buffer.from(event.body), newId('n', 24).slice(2), signingFault)
  return {
    url,
    body: fault?.name === 'tampered_body' ? tamper(event.body) : event.body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'paylab-notifier/1',
      ...signed,
      'Paylab-Event-Id': event.id,
      'Paylab-Delivery-Attempt': String(attempt)
    }
  }
}
