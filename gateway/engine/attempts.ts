// One delivery attempt of a notification event, start to record: the payment's channel codec
// encodes it, the transport sends it, and the event is stored with the attempt and its next retry
// (or delivered, or failed). The outbox decides when an attempt is made; this, what it is.
import { signingClock } from './auth.js'
import { channelOf, type ChannelParts, type DeliveryRequest, type NotificationCodec } from './channels.js'
import { isoTime } from './clock.js'
import type { EngineContext } from './context.js'
import { STORAGE_UNAVAILABLE } from './errors.js'
import { formatNotificationFault, parseNotificationFault, type NotificationFault } from './notification-faults.js'
import { StoreConflict } from './store-conflict.js'
import type { DeliveryAttempt, Merchant, NotificationEvent, Task } from './types.js'

export type { DeliveryRequest }
export interface DeliveryResult {
  status: number | null
  error: string | null
  /** The receiver's answer body (some channels acknowledge by it), when the transport read one. */
  body?: string
}
export interface NotificationTransport {
  deliver (request: DeliveryRequest, timeoutMs: number): Promise<DeliveryResult>
}

/** The start of a receiver's answer, kept with the attempt (an operator reads why it was refused). */
const ANSWER_EXCERPT = 200
const excerpt = (body: string | undefined): string | null => body === undefined ? null : body.slice(0, ANSWER_EXCERPT)

export class Attempts {
  readonly #ctx: EngineContext
  readonly #transport: NotificationTransport
  readonly #channels: (name: string) => ChannelParts | undefined
  /** The outbox is closing: an attempt still under way records nothing (see Outbox.close). */
  readonly #closed: () => boolean

  constructor (ctx: EngineContext, transport: NotificationTransport, channels: (name: string) => ChannelParts | undefined, closed: () => boolean) {
    this.#ctx = ctx
    this.#transport = transport
    this.#channels = channels
    this.#closed = closed
  }

  /** `lease`: the task leased for it (a shared store), released with the attempt's record. */
  async make (id: string, manual = false, lease?: Task): Promise<void> {
    const { db, clock } = this.#ctx
    const event = db.get('events', id) as NotificationEvent
    const merchant = db.get('merchants', event.merchant_id) as Merchant
    const payment = db.get('payments', event.payment_id)
    const codec = this.#channels(channelOf(event))?.codec
    const url = codec?.destination !== undefined ? codec.destination(merchant) : (payment?.notify_url ?? merchant.notify_url)
    const first = event.attempts.length === 0 && !manual
    const fault = first && event.fault !== null ? parseNotificationFault(event.fault) : undefined
    const copies = fault?.name === 'duplicate' ? fault.value : 1
    const attempts: DeliveryAttempt[] = []
    let delivered = false
    for (let copy = 0; copy < copies && (copy === 0 || delivered); copy++) {
      const n = event.attempts.length + attempts.length + 1
      const at = isoTime(clock)
      const started = performance.now()
      const result = await this.#send(codec, event, merchant, url, n, fault)
      // A copy that fails after one was acknowledged does not undo the delivery.
      delivered ||= result.error === null
      attempts.push({ attempt: n, at, url: url ?? '', status_code: result.status, latency_ms: Math.round(performance.now() - started), error: result.error, fault: fault === undefined ? null : formatNotificationFault(fault), next_attempt_at: null, answer: excerpt(result.body) })
    }
    // A shared store may refuse the record (another gateway changed the event meanwhile): it is
    // made again on the event caught up with.
    for (let runs = 1; ; runs++) {
      try {
        await this.#record(id, merchant, codec, attempts, delivered, manual, lease)
        return
      } catch (err) {
        if (!(err instanceof StoreConflict)) throw err
        if (runs >= 10) throw STORAGE_UNAVAILABLE('other gateways on the same database keep changing this event first: the attempt was made but is not recorded, retry in a moment', { retry_after: 1 })
        await db.catchUp()
      }
    }
  }

  async #record (id: string, merchant: Merchant, codec: NotificationCodec | undefined, attempts: DeliveryAttempt[], delivered: boolean, manual: boolean, lease: Task | undefined): Promise<void> {
    const { db, clock } = this.#ctx
    const current = db.get('events', id)
    // Gone when the store failed to write the change that made it (it was undone).
    if (this.#closed() || current === undefined) return
    // The lease ran out and another gateway took the task over: its attempt is the one recorded.
    // (Compared by value: a catch-up may have read the same lease again as a new record.)
    if (lease !== undefined && JSON.stringify(db.get('tasks', lease.id)?.data.lease) !== JSON.stringify(lease.data.lease)) return
    if (lease !== undefined) this.#ctx.scheduler.cancel(lease.id)
    const next: NotificationEvent = { ...current, attempts: [...current.attempts, ...attempts] }
    if (delivered) {
      Object.assign(next, { status: 'delivered', delivered_at: next.delivered_at ?? isoTime(clock), next_attempt_at: null })
    } else if (current.status !== 'delivered' && !manual) {
      const schedule = merchant.notify_retry_schedule ?? codec?.retrySchedule ?? this.#ctx.config.notifyRetrySchedule
      const failures = next.attempts.filter((a) => a.error !== null).length
      const wait = schedule[failures - 1]
      if (wait === undefined) Object.assign(next, { status: 'failed', next_attempt_at: null })
      else {
        const at = clock.now() + wait * 1000
        Object.assign(next, { status: 'pending', next_attempt_at: new Date(at).toISOString() })
        ;(next.attempts.at(-1) as DeliveryAttempt).next_attempt_at = next.next_attempt_at
        this.#ctx.scheduler.add(at, 'event.deliver', id)
      }
    }
    db.put('events', id, next)
    await db.commit()
  }

  /** One attempt through the channel's codec; `error` is null only when the receiver acknowledged it. */
  async #send (codec: NotificationCodec | undefined, event: NotificationEvent, merchant: Merchant, url: string | null, attempt: number, fault: NotificationFault | undefined): Promise<DeliveryResult> {
    if (url === null) return { status: null, error: codec?.destination !== undefined ? `the merchant has no ${channelOf(event)} notification endpoint` : 'no notify_url on the payment or the merchant' }
    if (codec === undefined) return { status: null, error: `no notification codec for the channel ${JSON.stringify(channelOf(event))}` }
    const { crypto, clock, config } = this.#ctx
    let request: DeliveryRequest
    try {
      const encoded = codec.encode({ event, object: event.data_object, merchant, url, attempt, fault, env: { crypto, now: clock.now(), signingNow: signingClock(this.#ctx).now(), notifyHosts: config.notifyHosts } })
      // A codec that signs at once is not made to wait a turn of the microtask queue.
      request = encoded instanceof Promise ? await encoded : encoded
    } catch (err) {
      return { status: null, error: `the notification could not be encoded: ${(err as Error).message}` }
    }
    const result = await this.#transport.deliver(request, codec.timeoutMs ?? config.notifyTimeoutMs)
    if (result.status === null || codec.acknowledged(result.status, result.body ?? '')) return result
    return { ...result, error: result.error ?? `HTTP ${result.status}: not an acknowledgement for this channel` }
  }
}
