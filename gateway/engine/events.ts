// Which engine changes become notifications, and what the event says. The body is fixed when
// the event is made, so every attempt (and every copy) sends the same bytes.
import type { EngineEvent } from './context.js'
import type { EventType, NotificationEvent, Payment, Refund } from './types.js'

export interface EventSource {
  type: EventType
  object: Payment | Refund
  payment: Payment
}

/** Event types a channel gets only when its codec asks for them (NotificationCodec.notifies). */
export const OPTIONAL_EVENTS: ReadonlySet<EventType> = new Set(['payment.requires_action'])

/** The notification an engine change calls for, if any: final or capture-relevant changes (and optional waits). */
export function eventFor (change: EngineEvent): EventSource | undefined {
  if (change.type === 'refund.changed') {
    const type = change.refund.status === 'succeeded' ? 'refund.succeeded' : 'refund.failed'
    return { type, object: change.refund, payment: change.payment }
  }
  const { payment, previous } = change
  // Waiting for the card, then for 3-D Secure, is one status and two waits (channel-ops.ts).
  if (payment.status === previous && payment.status !== 'requires_action') return undefined
  const type = paymentEventType(payment, previous)
  return type === undefined ? undefined : { type, object: payment, payment }
}

function paymentEventType (payment: Payment, previous: Payment['status']): EventType | undefined {
  switch (payment.status) {
    case 'succeeded': return previous === 'authorized' ? 'payment.captured' : 'payment.succeeded'
    case 'failed': return 'payment.failed'
    case 'authorized': return 'payment.authorized'
    // A wait for the buyer to act (3-D Secure, a wallet), not for a card still to be given.
    case 'requires_action': return payment.method.type === 'card' && payment.method.card === undefined ? undefined : 'payment.requires_action'
    case 'canceled': return payment.cancellation_reason === 'expired' ? 'payment.expired' : 'payment.canceled'
    default: return undefined
  }
}

/**
 * The JSON body every attempt of the event sends. It is not kept as text (that was a second copy
 * of the payment per event): it is made again from the record of the moment, which gives the same
 * bytes each time, as JSON.stringify of the same object (or of its JSON read back) does.
 */
export function eventBody (event: Pick<NotificationEvent, 'id' | 'type' | 'created' | 'data_object' | 'body'>): string {
  return event.body ?? JSON.stringify({ id: event.id, object: 'event', type: event.type, created: event.created, data: { object: event.data_object } })
}

/** A body that differs from the real one in a way a careless receiver would act on. */
export function tamper (body: string): string {
  const event = JSON.parse(body) as { data: { object: { amount?: number, status?: string } } }
  const object = event.data.object
  if (typeof object.amount === 'number') object.amount += 100
  if (object.status !== undefined) object.status = object.status === 'succeeded' ? 'failed' : 'succeeded'
  return JSON.stringify(event)
}
