// The notification outbox. An engine change that calls for a notification becomes an event row
// and a delivery task in the same commit as the change itself, so nothing is lost and a restart
// resumes where it stopped. Delivery goes through a NotificationTransport (HTTP for the server,
// capture or msw for tests) and retries on the merchant's schedule, on the gateway clock. What an
// attempt sends, what counts as received and the retry schedule are the payment's channel
// profile's (its NotificationCodec); the event row keeps what the engine's own body is made of.
// An attempt itself, from encoding to its record, is attempts.ts.
import { Attempts, type NotificationTransport } from './attempts.js'
import { channelOf, DEFAULT_CHANNEL, type ChannelParts } from './channels.js'
import { isoTime } from './clock.js'
import type { EngineContext, EngineEvent } from './context.js'
import { eventFor, OPTIONAL_EVENTS } from './events.js'
import { notificationFaultFor } from './delivery.js'
import { newId } from './ids.js'
import { claimAttempts } from './leases.js'
import { leaseOf } from './scheduler.js'
import { formatNotificationFault, parseNotificationFault } from './notification-faults.js'
import type { RuleBook } from './rules.js'
import type { Merchant, NotificationEvent, Task } from './types.js'

export type { DeliveryRequest, DeliveryResult, NotificationTransport } from './attempts.js'

/** How long an out_of_order event waits for a later one before it goes anyway. */
const OUT_OF_ORDER_HOLD_MS = 60_000

export class Outbox {
  readonly #ctx: EngineContext
  readonly #rules: RuleBook
  readonly #attempts: Attempts
  readonly #channels: (name: string) => ChannelParts | undefined
  readonly #inflight = new Set<Promise<void>>()
  /** before_answer attempts: under way, or (a shared store) to start once the commit that made their event is stored. */
  #urgent: Array<Promise<void> | (() => Promise<void>)> = []
  /** payment id → its held (out_of_order) events and their release tasks; kept off the store scan. */
  readonly #held = new Map<string, Map<string, string>>()
  /** payment id → the end of its queue of scheduled attempts. */
  readonly #lanes = new Map<string, Promise<void>>()
  #closed = false
  /** Who holds the leases this gateway takes (a shared store). */
  readonly #owner = newId('gw', 12)

  constructor (ctx: EngineContext, rules: RuleBook, transport: NotificationTransport, channels: (name: string) => ChannelParts | undefined) {
    this.#ctx = ctx
    this.#rules = rules
    this.#attempts = new Attempts(ctx, transport, channels, () => this.#closed)
    this.#channels = channels
    // A crash between taking a delivery task and recording its attempt leaves a pending event
    // without a task: give it one, so that nothing is lost. With a shared store, a task is leased
    // rather than taken, and another gateway's attempt under way has no task: left alone.
    if (ctx.db.shared) {
      for (const event of ctx.db.tables.events.values()) if (event.status === 'held') this.#hold(event.payment_id, event.id, '')
      // Another gateway's held event is released by the next event of its payment, wherever that
      // is made; one it released or delivered is no longer held here.
      ctx.db.onRemote((table, id, value) => {
        const event = value as NotificationEvent | undefined
        if (table !== 'events' || event === undefined) return
        if (event.status === 'held') this.#hold(event.payment_id, id, '')
        else this.#held.get(event.payment_id)?.delete(id)
      })
      return
    }
    const scheduled = new Map([...ctx.db.tables.tasks.values()].filter((t) => t.kind === 'event.deliver').map((t) => [t.ref, t.id]))
    for (const event of ctx.db.tables.events.values()) {
      if (event.status !== 'pending' && event.status !== 'held') continue
      const task = scheduled.get(event.id) ?? ctx.scheduler.add(ctx.clock.now(), 'event.deliver', event.id).id
      if (event.status === 'held') this.#hold(event.payment_id, event.id, task)
    }
  }

  #hold (paymentId: string, eventId: string, taskId: string): void {
    let held = this.#held.get(paymentId)
    if (held === undefined) this.#held.set(paymentId, held = new Map<string, string>())
    held.set(eventId, taskId)
  }

  /** Engine listener: records the event a change calls for, in the change's own commit. */
  onChange (change: EngineEvent): void {
    const source = eventFor(change)
    if (source === undefined) return
    const notifies = this.#channels(channelOf(source.payment))?.codec?.notifies
    if (!(notifies === undefined ? !OPTIONAL_EVENTS.has(source.type) : notifies(source.type))) return
    const { db, clock, scheduler } = this.#ctx
    const merchant = db.get('merchants', source.payment.merchant_id) as Merchant
    let fault = notificationFaultFor(this.#rules, merchant, source.type, source.payment)
    // The next event of a payment with a held one is what releases it: were it held too (a fault
    // by metadata or amount applies to every event of the payment), both would only go at 60 s.
    if (fault?.name === 'out_of_order' && (this.#held.get(source.payment.id)?.size ?? 0) > 0) fault = undefined
    const id = newId('evt')
    const created = isoTime(clock)
    const event: NotificationEvent = {
      id,
      object: 'event',
      type: source.type,
      merchant_id: merchant.id,
      created,
      payment_id: source.payment.id,
      merchant_order_id: source.payment.merchant_order_id,
      data_object: source.object,
      notify_url: source.payment.notify_url ?? merchant.notify_url,
      status: 'pending',
      fault: fault === undefined ? null : formatNotificationFault(fault),
      attempts: [],
      next_attempt_at: created,
      delivered_at: null
    }
    if (channelOf(source.payment) !== DEFAULT_CHANNEL) event.channel = channelOf(source.payment)
    const now = clock.now()
    if (fault?.name === 'drop') {
      event.status = 'dropped'
      event.next_attempt_at = null
    } else if (fault?.name === 'out_of_order') {
      event.status = 'held'
      event.next_attempt_at = new Date(now + OUT_OF_ORDER_HOLD_MS).toISOString()
      this.#hold(event.payment_id, id, scheduler.add(now + OUT_OF_ORDER_HOLD_MS, 'event.deliver', id).id)
    } else if (fault?.name === 'before_answer') {
      db.put('events', id, event)
      // A shared store may refuse the commit and the operation run again (another event): the
      // attempt waits for the commit, and is made only for an event that was stored. Another
      // request of this gateway whose commit landed first may take it (takeUrgent takes them all):
      // it waits for every commit under way, this event's among them, before looking.
      // Its task is leased to this gateway in the same commit: should the gateway die before the
      // attempt is recorded, another makes it once the lease runs out (no task: none ever would).
      if (db.shared) {
        const lease = scheduler.lease(scheduler.add(now, 'event.deliver', id), this.#owner, this.#leaseMs(event))
        this.#urgent.push(async () => {
          await db.settled()
          const stored = db.get('events', id)
          if (stored?.status === 'pending' && stored.attempts.length === 0) await this.#attempt(id, false, lease)
        })
      }
      else this.#urgent.push(this.#track(this.#attempt(id)))
    } else {
      const at = now + (fault?.name === 'delay' ? fault.value : 0)
      event.next_attempt_at = new Date(at).toISOString()
      scheduler.add(at, 'event.deliver', id)
    }
    db.put('events', id, event)
    // A later event releases the held ones of its payment: they go right after it.
    const held = this.#held.get(event.payment_id)
    if (event.status === 'pending' && held !== undefined) {
      this.#held.delete(event.payment_id)
      for (const [heldId, taskId] of held) {
        // Held by another gateway (a shared store): its release task is found by the event. A
        // leased one: the hold ended there and that gateway is making the attempt now; released
        // here too, it would be sent twice (and that gateway's attempt go unrecorded).
        if (taskId === '') {
          const tasks = [...db.tables.tasks.values()].filter((task) => task.kind === 'event.deliver' && task.ref === heldId)
          if (tasks.some((task) => (leaseOf(task)?.until ?? 0) > scheduler.leaseTime())) continue
          for (const task of tasks) scheduler.cancel(task.id)
        } else scheduler.cancel(taskId)
        const heldEvent = db.get('events', heldId)
        // An operator's resend already delivered it, or the store failed and it was undone.
        if (heldEvent?.status !== 'held') continue
        db.put('events', heldId, { ...heldEvent, status: 'pending', next_attempt_at: isoTime(clock) })
        scheduler.add(now, 'event.deliver', heldId)
      }
    }
  }

  /**
   * Scheduler handler of `event.deliver` tasks. `claimed`: with a shared store, the commit that
   * leases the task to this gateway; the attempt is made once it is stored, and not at all when
   * another gateway leased it first.
   */
  runTask (task: Task, claimed?: Promise<void>): void {
    const event = this.#ctx.db.get('events', task.ref)
    if (event === undefined || (event.status !== 'pending' && event.status !== 'held')) return
    this.#held.get(event.payment_id)?.delete(event.id)
    const lease = claimed === undefined ? undefined : this.#ctx.scheduler.lease(task, this.#owner, this.#leaseMs(event))
    // An attempt whose record the store could not write (a full disk) leaves the event pending;
    // the next start gives it a task again (see the constructor).
    this.#track(this.#inLane(event.payment_id, async () => {
      if (claimed !== undefined) await claimed
      const now = this.#ctx.db.get('events', event.id)
      if (now?.status === 'pending' || now?.status === 'held') await this.#attempt(event.id, false, lease)
    })).catch(() => {})
  }

  /** How long another gateway waits before it makes an attempt this one leased (and may have died making). */
  #leaseMs (event: NotificationEvent): number {
    const { config } = this.#ctx
    if (config.deliveryLeaseMs !== undefined) return config.deliveryLeaseMs
    const timeout = this.#channels(channelOf(event))?.codec?.timeoutMs ?? config.notifyTimeoutMs
    const fault = event.attempts.length === 0 && event.fault !== null ? parseNotificationFault(event.fault) : undefined
    return timeout * (fault?.name === 'duplicate' ? fault.value : 1) + 5000
  }

  /**
   * Scheduled attempts for one payment run one after another: events due at the same moment
   * (a released out_of_order event and the one that released it) reach the receiver in order
   * instead of racing on two connections.
   */
  #inLane (paymentId: string, attempt: () => Promise<void>): Promise<void> {
    const run = (this.#lanes.get(paymentId) ?? Promise.resolve()).then(attempt)
    const lane = run.catch(() => undefined)
    this.#lanes.set(paymentId, lane)
    void lane.then(() => { if (this.#lanes.get(paymentId) === lane) this.#lanes.delete(paymentId) })
    return run
  }

  /**
   * The gateway is stopping and its store closes next: attempts still under way record nothing
   * (they would write to a closed store). Their events are still pending in the store, so they are
   * attempted again at the next start.
   */
  close (): void {
    this.#closed = true
  }

  /** Deliveries that must land before the answer of the request that made them. */
  takeUrgent (): Promise<void> {
    const urgent = this.#urgent
    this.#urgent = []
    return Promise.all(urgent.map((u) => typeof u === 'function' ? this.#track(u()) : u)).then(() => undefined)
  }

  /** Resolves when no delivery is under way (the virtual clock waits for this between steps). */
  async settle (): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all(this.#inflight)
  }

  /** Sends an event again now, whatever its state: an operator's resend. */
  async resend (id: string): Promise<NotificationEvent | undefined> {
    if (this.#ctx.db.get('events', id) === undefined) return undefined
    await this.#track(this.#attempt(id, true))
    return this.#ctx.db.get('events', id)
  }

  /** Attempts every pending event now instead of at its next attempt time. */
  async deliverDue (merchantId?: string): Promise<number> {
    const pending = () => [...this.#ctx.db.tables.events.values()].filter((e) => e.status === 'pending' && (merchantId === undefined || e.merchant_id === merchantId))
    if (this.#ctx.db.shared) {
      // Each attempt is made by the gateway whose lease on its task the store took (leases.ts).
      const leased = await claimAttempts(this.#ctx, pending, this.#owner, (e) => this.#leaseMs(e))
      await Promise.all(leased.map((task) => this.#track(this.#inLane(this.#ctx.db.get('events', task.ref)?.payment_id ?? task.ref, () => this.#attempt(task.ref, false, task)))))
      return leased.length
    }
    const due = pending()
    // The attempt made now replaces the scheduled one; left in place, a failure would schedule
    // a second retry beside it and every attempt from then on would come twice.
    const ids = new Set(due.map((e) => e.id))
    for (const task of this.#ctx.db.tables.tasks.values()) {
      if (task.kind === 'event.deliver' && ids.has(task.ref)) this.#ctx.scheduler.cancel(task.id)
    }
    // In each payment's lane: an encode may wait for the RSA pool, and a payment's events go out in order.
    await Promise.all(due.map((e) => this.#track(this.#inLane(e.payment_id, async () => {
      // An attempt ahead of it in the lane may have delivered it meanwhile.
      if (this.#ctx.db.get('events', e.id)?.status === 'pending') await this.#attempt(e.id)
    }))))
    return due.length
  }

  #track (p: Promise<void>): Promise<void> {
    this.#inflight.add(p)
    return p.finally(() => this.#inflight.delete(p))
  }

  /** `lease`: the task leased for it (a shared store), released with the attempt's record. */
  #attempt (id: string, manual = false, lease?: Task): Promise<void> {
    return this.#attempts.make(id, manual, lease)
  }
}
