// Records as the engine keeps them in memory once read from a store. JSON.parse gives every record
// its own copy of every value: an event's copy of its payment, the payment's id and URL again in
// the event and in each attempt, a `method` object per payment. Read back, a record gets the very
// values (strings, objects) of the records it repeats, so that a stored payment costs one copy.
// Records are never changed in place (db.ts), so a value two of them share cannot change under
// either; nothing here changes what a record serializes to.
import { readIdempotency } from './idempotency.js'
import type { IdempotencyRecord, NotificationEvent, Payment, Refund, TableName } from './types.js'

/** A value equal to an earlier one (same JSON), handed out instead of it while a store is read. */
export class Shared {
  readonly #strings = new Map<string, string>()
  /** Objects by their JSON. */
  readonly #objects = new Map<string, object>()
  readonly #kept = new WeakSet<object>()
  /** Distinct values kept at most, of each kind: low-cardinality values (URLs, methods, failures) are the point. */
  readonly #limit: number

  constructor (limit = 10_000) { this.#limit = limit }

  string<T extends string | null | undefined> (value: T): T {
    if (typeof value !== 'string') return value
    const known = this.#strings.get(value)
    if (known !== undefined) return known as T
    if (this.#strings.size < this.#limit) this.#strings.set(value, value)
    return value
  }

  /** A small object (a method, a failure) by its JSON. */
  object<T> (value: T): T {
    if (value === null || typeof value !== 'object') return value
    // A record read twice (from a snapshot, then by Db.open) is not serialized twice.
    if (this.#kept.has(value)) return value
    const key = JSON.stringify(value)
    const known = this.#objects.get(key)
    if (known !== undefined) return known as T
    if (this.#objects.size < this.#limit) this.#objects.set(key, value)
    this.#kept.add(value)
    return value
  }
}

export type Lookup = (table: 'payments' | 'refunds', id: string) => Payment | Refund | undefined

/** The record to keep for one read from the store; `lookup` finds those read before it (payments and refunds come before events). */
export function revive (table: TableName, record: unknown, lookup: Lookup, shared: Shared): unknown {
  if (table === 'payments') return revivePayment(record as Payment, shared)
  if (table === 'events') return reviveEvent(record as NotificationEvent & { body?: string }, lookup, shared)
  if (table === 'idempotency') return readIdempotency(record as IdempotencyRecord)
  return record
}

function revivePayment (p: Payment, shared: Shared): Payment {
  p.notify_url = shared.string(p.notify_url)
  p.return_url = shared.string(p.return_url)
  p.method = shared.object(p.method)
  p.failure = shared.object(p.failure)
  if (p.updated_at === p.created_at) p.updated_at = p.created_at
  return p
}

function reviveEvent (stored: NotificationEvent, lookup: Lookup, shared: Shared): NotificationEvent {
  const event = stored.data_object === undefined ? fromBody(stored) : stored
  const payment = lookup('payments', event.payment_id) as Payment | undefined
  const object = event.data_object
  const like = object.object === 'refund' ? lookup('refunds', object.id) : payment
  event.data_object = sameValues(object, like) as Payment | Refund
  if (payment !== undefined) {
    if (event.payment_id === payment.id) event.payment_id = payment.id
    if (event.merchant_id === payment.merchant_id) event.merchant_id = payment.merchant_id
    if (event.merchant_order_id === payment.merchant_order_id) event.merchant_order_id = payment.merchant_order_id
    if (event.notify_url === payment.notify_url) event.notify_url = payment.notify_url
  }
  event.notify_url = shared.string(event.notify_url)
  event.type = shared.string(event.type)
  event.fault = shared.string(event.fault)
  // An event is made at the change it tells of, and a first attempt often lands in the same tick.
  const time = (t: string | null): string | null => t === null ? null : t === payment?.updated_at ? payment.updated_at : t === event.created ? event.created : t
  event.created = time(event.created) as string
  event.delivered_at = time(event.delivered_at)
  event.next_attempt_at = time(event.next_attempt_at)
  for (const a of event.attempts) {
    a.at = time(a.at) as string
    a.next_attempt_at = time(a.next_attempt_at)
    a.url = a.url === event.notify_url ? event.notify_url : shared.string(a.url)
    a.error = shared.string(a.error)
    a.fault = shared.string(a.fault)
  }
  return event
}

/**
 * An event an older version stored with its body as text: the object it carries becomes
 * data_object, and the text goes when data_object rebuilds it byte for byte (always, for the
 * bodies paylab made; a body that is not rebuilt exactly is kept, and sent as it is).
 */
function fromBody (stored: NotificationEvent): NotificationEvent {
  const { body, ...rest } = stored
  const text = body ?? ''
  const object = (JSON.parse(text) as { data: { object: Payment | Refund } }).data.object
  const event: NotificationEvent = { ...rest, data_object: object }
  const rebuilt = JSON.stringify({ id: event.id, object: 'event', type: event.type, created: event.created, data: { object } })
  if (rebuilt !== text) event.body = text
  return event
}

/**
 * `value` with every part that equals the same part of `like` (same JSON, keys in the same order)
 * replaced by like's: `like` itself when the whole is equal.
 */
export function sameValues (value: unknown, like: unknown): unknown {
  if (value === like || typeof value !== 'object' || value === null || typeof like !== 'object' || like === null) {
    return typeof value === 'string' && value === like ? like : value
  }
  if (Array.isArray(value) !== Array.isArray(like)) return value
  if (Array.isArray(value)) {
    const other = like as unknown[]
    const out = value.map((v, i) => sameValues(v, other[i]))
    return out.length === other.length && out.every((v, i) => v === other[i]) ? like : out
  }
  const a = value as Record<string, unknown>
  const b = like as Record<string, unknown>
  const keys = Object.keys(a)
  const others = Object.keys(b)
  let equal = keys.length === others.length
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string
    const v = Object.hasOwn(b, k) ? sameValues(a[k], b[k]) : a[k]
    // (An own "__proto__" key, as JSON.parse makes one, is a data property: this sets it, not the prototype.)
    if (v !== a[k]) a[k] = v
    if (v !== b[k] || others[i] !== k) equal = false
  }
  return equal ? like : a
}

// A store's snapshot (store/journal-store.ts) writes an event whose object is its payment's very
// record — the common case: the payment has not changed since — as the word "payment" in place of
// the object, and the payment once. Read back, the word becomes that payment as the snapshot holds
// it, before any later change is replayed onto the tables. (A refund's event keeps its copy.)
const SAME_AS_PAYMENT = 'payment'

/** An event the snapshot writes without its copy of the payment. */
class EventOfPayment {
  readonly #event: NotificationEvent
  constructor (event: NotificationEvent) { this.#event = event }
  toJSON (): unknown { return { ...this.#event, data_object: SAME_AS_PAYMENT } }
}

/** The records of the tables as a snapshot stores them (see SAME_AS_PAYMENT). */
export function storedRows (table: TableName, rows: unknown[], payments: ReadonlyMap<string, Payment>): unknown[] {
  if (table !== 'events') return rows
  return rows.map((row) => {
    const event = row as NotificationEvent
    return event.data_object === payments.get(event.payment_id) ? new EventOfPayment(event) : event
  })
}

/** A record of a snapshot, whole again: what storedRows left out, from the snapshot's records read before it. */
export function readStored (table: TableName, record: unknown, lookup: (table: TableName, id: string) => unknown): unknown {
  if (table !== 'events') return record
  const event = record as NotificationEvent
  if ((event.data_object as unknown) !== SAME_AS_PAYMENT) return record
  const payment = lookup('payments', event.payment_id) as Payment | undefined
  if (payment === undefined) throw new Error(`the snapshot's event ${event.id} refers to the payment ${event.payment_id}, which it does not hold`)
  event.data_object = payment
  return event
}
