// What can go wrong with a notification, on demand: by rule, by a payment's metadata
// `paylab_notification`, or by magic amount. docs/failures.md documents each (a test checks).
import { parseDuration } from './duration.js'
import { VALIDATION_FAILED } from './errors.js'

export const NOTIFICATION_FAULTS = {
  drop: { param: undefined, what: 'never sent; the merchant must find out by querying' },
  delay: { param: 'duration', what: 'the first attempt waits this long on the gateway clock (e.g. delay;10m)' },
  duplicate: { param: 'copies', what: 'the event is delivered N times (default 2) with one event id' },
  out_of_order: { param: undefined, what: 'held until the next event of the same payment is sent, then sent after it (or after 60 s)' },
  before_answer: { param: undefined, what: 'delivered before the synchronous answer to the request that caused it' },
  bad_signature: { param: undefined, what: 'the first attempt carries a wrong signature; retries are signed right' },
  stale_timestamp: { param: undefined, what: 'the first attempt is signed with a timestamp an hour old' },
  unknown_key: { param: undefined, what: 'the first attempt is RSA-signed with a key id the merchant was never given' },
  tampered_body: { param: undefined, what: 'the first attempt sends a changed body with the signature of the original' }
} as const

export type NotificationFaultName = keyof typeof NOTIFICATION_FAULTS
export interface NotificationFault { name: NotificationFaultName, value: number }

/** `delay;10m`, `duplicate;3`, `drop`. */
export function parseNotificationFault (text: string, field = 'notification'): NotificationFault {
  const [name = '', param] = text.trim().split(';', 2).map((s) => s.trim())
  if (!Object.hasOwn(NOTIFICATION_FAULTS, name)) {
    throw VALIDATION_FAILED(`${field}: unknown notification fault ${JSON.stringify(name)}; one of ${Object.keys(NOTIFICATION_FAULTS).join(', ')}`, { field })
  }
  const fault = name as NotificationFaultName
  if (fault === 'delay') return { name: fault, value: parseDuration(param ?? '1m', field) }
  if (fault === 'duplicate') {
    const copies = Number(param ?? '2')
    if (!Number.isInteger(copies) || copies < 2 || copies > 10) throw VALIDATION_FAILED(`${field}: duplicate takes 2–10 copies`, { field })
    return { name: fault, value: copies }
  }
  if (param !== undefined && param !== '') throw VALIDATION_FAILED(`${field}: ${fault} takes no parameter`, { field })
  return { name: fault, value: 0 }
}

export function formatNotificationFault (f: NotificationFault): string {
  if (f.name === 'delay') return `delay;${f.value}ms`
  if (f.name === 'duplicate') return `duplicate;${f.value}`
  return f.name
}

/** The metadata key of a payment that asks for a notification fault on its events. */
export const NOTIFICATION_METADATA_KEY = 'paylab_notification'

/** Magic amounts (minor units) whose payments' notifications misbehave. */
export const NOTIFICATION_FAULT_AMOUNTS: Readonly<Record<number, string>> = {
  60001: 'drop',
  60002: 'delay;10m',
  60003: 'duplicate;3',
  60004: 'out_of_order',
  60005: 'before_answer',
  60006: 'bad_signature',
  60007: 'stale_timestamp',
  60008: 'unknown_key',
  60009: 'tampered_body'
}
