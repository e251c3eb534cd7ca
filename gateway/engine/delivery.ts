// Which notification fault an event gets. How an attempt goes on the wire is the payment's
// channel profile's NotificationCodec (channels.ts).
import { NOTIFICATION_FAULT_AMOUNTS, NOTIFICATION_METADATA_KEY, parseNotificationFault, type NotificationFault } from './notification-faults.js'
import type { RuleBook } from './rules.js'
import type { Merchant } from './types.js'

/** A rule first, then the payment's metadata, then its amount. */
export function notificationFaultFor (rules: RuleBook, merchant: Merchant, type: string, payment: { merchant_order_id: string, amount: number, metadata: Record<string, string> }): NotificationFault | undefined {
  const ruled = rules.evaluateNotification({ merchantId: merchant.id, eventType: type, merchantOrderId: payment.merchant_order_id, amount: payment.amount })
  if (ruled !== undefined) return ruled.value
  const text = payment.metadata[NOTIFICATION_METADATA_KEY] ?? (Object.hasOwn(NOTIFICATION_FAULT_AMOUNTS, payment.amount) ? NOTIFICATION_FAULT_AMOUNTS[payment.amount] : undefined)
  if (text === undefined) return undefined
  try {
    return parseNotificationFault(text, `metadata.${NOTIFICATION_METADATA_KEY}`)
  } catch {
    return undefined // an unknown trigger in metadata is ignored rather than failing the payment
  }
}
