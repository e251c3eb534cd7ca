// The payment engine: everything the channel decides, behind plain method calls. Fastify routes
// and msw handlers are thin adapters over this class; it knows nothing of HTTP frameworks or of
// how its store persists.
import { jsonAnswer, type Answer } from './answers.js'
import { authenticate, claimNonce, identify, nonceHorizon, signAnswer, signAnswerAsync, signingClock, type Headers, type Identity, type SignedRequest, type SigningFault } from './auth.js'
import { channelOf, type ChannelParts } from './channels.js'
import { channelOps, type ChannelCreate, type ChannelOps } from './channel-ops.js'
import { describeCard, type PlainCard } from './cards.js'
import { realClock, VirtualClock, type Clock } from './clock.js'
import { DEFAULT_CONFIG, type EngineConfig, type EngineContext, type EngineEvent } from './context.js'
import { completeAction, pendingAction, runTask, type BuyerAction } from './lifecycle.js'
import { chooseMethod, enterCard, type MethodChoice } from './hosted.js'
import { openedEnvelope, type CardEnvelope } from './envelope.js'
import type { Outcome } from './outcomes.js'
import { Sandbox, type Decision, type DecideRequest } from './sandbox.js'
import type { Rule, RuleInput } from './rules.js'
import { Scheduler } from './scheduler.js'
import { statementCsv } from './statements.js'
import { History, type Change } from './history.js'
import { findEvents, findPayments, type EventFilter, type PaymentFilter } from './queries.js'
import type { JournalEntry, JournalOpening, JournalQuery } from './journal.js'
import { isoTime } from './clock.js'
import { Outbox, type NotificationTransport } from './outbox.js'
import { nodeCrypto, type CryptoProvider } from './crypto.js'
import { Db, type StorePort } from './db.js'
import { IdempotencyKeeper, type IdempotentAnswer } from './idempotency.js'
import { newId } from './ids.js'
import { privateKeyFor, publicKeys, rotateKey } from './keys.js'
import { bootstrap } from './bootstrap.js'
import { createMerchant, getMerchant, merchantView, rotateMerchantSecret, updateMerchant, type MerchantInput } from './merchants.js'
import { acceptChannels, viewChannels, type ChannelsInput } from './merchant-channels.js'
import { loadNonces, NonceCache, sweepNonces } from './nonces.js'
import { pay, payFailure, paySignature, verifyPaySignature, type PayRequest } from './pay.js'
import { PaylabError, REPLAYED_REQUEST, STORAGE_UNAVAILABLE } from './errors.js'
import { StoreConflict } from './store-conflict.js'
import { cancelPayment, capturePayment, createPayment, getPayment, getPaymentByOrder, listPayments, type CreatePaymentInput, type CreateResult } from './payments.js'
import { createRefund, getRefund, listRefunds, type CreateRefundInput } from './refunds.js'
import type { CardDetails, ClockRecord, Merchant, NonceRecord, NotificationEvent, Payment, Refund, Task } from './types.js'

export { DEMO_MERCHANT_ID } from './bootstrap.js'

export interface EngineOptions {
  store: StorePort
  crypto?: CryptoProvider
  clock?: Clock
  config?: Partial<EngineConfig>
  /** How notifications leave the engine; without one, every delivery attempt fails. */
  transport?: NotificationTransport
}

/**
 * Times an operation is run when a shared store keeps refusing its commit because other gateways
 * changed the same records first; each run follows a catch-up, so this is only reached when one
 * record is fought over by many at once.
 */
const MAX_RUNS = 20

const NO_TRANSPORT: NotificationTransport = { deliver: async () => ({ status: null, error: 'no notification transport' }) }

export interface MutationRequest {
  merchantId: string
  idempotencyKey?: string | undefined
  /** Method, path and raw body identify the request for Idempotency-Key. */
  method: string
  path: string
  body: Buffer
  requestId: string
  /** An outcome a sandbox rule or header chose for a create. */
  outcome?: Outcome | undefined
}

export type { ChannelCreate, ChannelOps, PaymentPatch } from './channel-ops.js'
export type { PaymentFilter, EventFilter } from './queries.js'

/** Everything known of one payment, for the operator's timeline. */
export interface PaymentTimeline {
  payment: Payment
  refunds: Refund[]
  /** Status changes and refunds, oldest first (in memory: see history.ts). */
  changes: Change[]
  /** Its notification events with every delivery attempt, oldest first. */
  events: NotificationEvent[]
  /** The journaled requests about it, oldest first. */
  requests: JournalEntry[]
}

/** A task the clock fired: what it was about and when it was due. */
export interface FiredTask { at: string, kind: Task['kind'], ref: string }

/** Merchant fields of POST /admin/merchants, with the channel profiles' credentials. */
export type MerchantCreate = MerchantInput & { channels?: ChannelsInput | undefined }
export type MerchantPatch = Omit<MerchantInput, 'id' | 'hmac_secret'> & { channels?: ChannelsInput | undefined }

/** The longest the ticker works through due tasks before it lets requests in (see Engine.tick). */
const TICK_SLICE_MS = 5

export class Engine {
  readonly ctx: EngineContext
  readonly sandbox: Sandbox
  readonly outbox: Outbox
  readonly history = new History()
  #fired: FiredTask[] | undefined
  readonly #nonces = new NonceCache()
  #ticking = false
  readonly #idempotency = new IdempotencyKeeper()
  readonly #listeners: Array<(e: EngineEvent) => void>
  readonly #channels = new Map<string, ChannelParts>()

  private constructor (ctx: EngineContext, listeners: Array<(e: EngineEvent) => void>, transport: NotificationTransport) {
    this.ctx = ctx
    this.#listeners = listeners
    this.sandbox = new Sandbox(ctx, () => { this.runDue() }, () => this.outbox.settle())
    this.outbox = new Outbox(ctx, this.sandbox.rules, transport, (name) => this.#channels.get(name))
    listeners.push((change) => this.outbox.onChange(change))
    listeners.push((change) => this.history.record(change, isoTime(ctx.clock)))
  }

  static async open (options: EngineOptions): Promise<Engine> {
    const crypto = options.crypto ?? nodeCrypto
    const db = await Db.open(options.store)
    const listeners: Array<(e: EngineEvent) => void> = []
    const engine = new Engine({
      db,
      crypto,
      clock: options.clock ?? realClock,
      config: { ...DEFAULT_CONFIG, ...options.config },
      scheduler: new Scheduler(db, options.clock instanceof VirtualClock ? realClock : options.clock ?? realClock),
      emit: (event) => { for (const listener of listeners) listener(event) }
    }, listeners, options.transport ?? NO_TRANSPORT)
    // Replicas starting at once on an empty database: one stores the first settings and keys, the
    // others catch up and find them.
    await engine.#commit(() => {
      bootstrap(engine.ctx)
      engine.#shareClock()
    })
    loadNonces(engine.ctx, engine.#nonces, nonceHorizon(engine.ctx))
    db.onRemote((table, id, value) => {
      if (table === 'nonces' && value !== undefined) engine.#nonces.remember(id, (value as NonceRecord).timestamp, nonceHorizon(engine.ctx))
      // Another gateway moved the shared virtual clock.
      const clock = engine.ctx.clock
      if (table === 'clock' && value !== undefined && clock instanceof VirtualClock && (value as ClockRecord).now_ms > clock.now()) clock.set((value as ClockRecord).now_ms)
    })
    return engine
  }

  /** A shared store and a virtual clock: the gateways of the store keep one time, the first one's. */
  #shareClock (): void {
    const { db, clock } = this.ctx
    if (!db.shared || !(clock instanceof VirtualClock)) return
    const stored = db.get('clock', 'clock')
    if (stored === undefined) db.put('clock', 'clock', { id: 'clock', now_ms: clock.now() })
    else clock.adopt(stored.now_ms)
  }

  /**
   * A channel profile's parts the engine calls: its notification codec and its merchant
   * credentials hook. The gateway registers every profile once, right after opening the engine.
   */
  registerChannel (name: string, parts: ChannelParts): void {
    if (this.#channels.has(name)) throw new Error(`channel ${name} is registered twice`)
    this.#channels.set(name, parts)
  }

  get channelNames (): string[] { return [...this.#channels.keys()] }

  /** Listens to what the engine announces (status changes); returns the way to stop listening. */
  on (listener: (e: EngineEvent) => void): () => void {
    this.#listeners.push(listener)
    return () => { const i = this.#listeners.indexOf(listener); if (i >= 0) this.#listeners.splice(i, 1) }
  }

  /**
   * A shared store: applies what other gateways committed, before a request is handled (so a write
   * another gateway answered is seen) and before due work runs. Undefined when there is nothing
   * to wait for (the store is this gateway's alone).
   */
  catchUp (): Promise<void> | undefined { return this.ctx.db.catchUp() }

  /** Whether other gateways write to the store too: only then is there anything for catchUp() to do. */
  get sharedStore (): boolean { return this.ctx.db.shared }

  /** The server's ticker: catches up (a shared store), then runs what is due, in slices. */
  tick (): void {
    if (this.#ticking) return
    this.#ticking = true
    const caught = this.ctx.db.catchUp()
    if (caught === undefined) this.#slice()
    else caught.then(() => this.#slice(), () => { this.#ticking = false })
  }

  /** Runs every task due on the clock (expiry, pending resolution) and persists the result. */
  runDue (): number {
    let n = 0
    // With a shared store, taking a task is committed before it is carried out: the gateway whose
    // commit the store takes is the one that delivers (the others' commits conflict).
    let claim: { resolve: () => void, reject: (e: unknown) => void } | undefined
    const claimed = this.ctx.db.shared ? new Promise<void>((resolve, reject) => { claim = { resolve, reject } }) : undefined
    claimed?.catch(() => {})
    for (let task = this.ctx.scheduler.takeDue(this.ctx.clock.now()); task !== undefined; task = this.ctx.scheduler.takeDue(this.ctx.clock.now())) {
      this.#runTask(task, claimed)
      n++
    }
    const done = this.ctx.db.commit()
    if (claim !== undefined) done.then(claim.resolve, claim.reject)
    return n
  }

  #runTask (task: Task, claimed: Promise<void> | undefined): void {
    this.#fired?.push({ at: new Date(task.at).toISOString(), kind: task.kind, ref: task.ref })
    if (task.kind === 'event.deliver') this.outbox.runTask(task, claimed)
    else runTask(this.ctx, task)
  }

  /**
   * What tick runs: the due tasks, as runDue does, but in slices of at most TICK_SLICE_MS of
   * work, each in a turn of the event loop of its own. Tasks fall due in crowds (the
   * notifications of a burst of creates, waits made together expiring together), and run in one
   * go they held every request for as long as they took. With a shared store each slice's
   * deliveries are claimed by its commit, as in runDue.
   */
  #slice (): void {
    const until = performance.now() + TICK_SLICE_MS
    let more = false
    let claim: { resolve: () => void, reject: (e: unknown) => void } | undefined
    const claimed = this.ctx.db.shared ? new Promise<void>((resolve, reject) => { claim = { resolve, reject } }) : undefined
    claimed?.catch(() => {})
    try {
      for (let task = this.ctx.scheduler.takeDue(this.ctx.clock.now()); task !== undefined; task = this.ctx.scheduler.takeDue(this.ctx.clock.now())) {
        this.#runTask(task, claimed)
        if (performance.now() >= until) { more = true; break }
      }
    } finally {
      const done = this.ctx.db.commit()
      if (claim !== undefined) done.then(claim.resolve, claim.reject)
      else done.catch(() => {})
      if (more) setImmediate(() => { this.#slice() })
      else this.#ticking = false
    }
  }

  // Sandbox rules (admin)
  addRule (input: RuleInput) { return this.#commit(() => this.sandbox.addRule(input)) }
  deleteRule (id: string): Promise<boolean> { return this.#commit(() => this.sandbox.rules.delete(id)) }
  resetRules (merchantId: string): Promise<number> { return this.#commit(() => this.sandbox.rules.reset(merchantId)) }

  /** The sandbox's decision on a request: the fault to act out and the outcome to give, if any. */
  decideRequest (req: DecideRequest): Decision { return this.sandbox.decide(req) }
  /** A decision as the journal shows it. */
  describeDecision (d: Decision): { fault: string | null, outcome: string | null, rule_id: string | null } { return this.sandbox.describe(d) }

  /**
   * After the sandbox decided on a request: with a shared store, the rule hits it counted are
   * committed before they are acted on, so that `times` holds across gateways. Resolves false when
   * another gateway counted a hit on the same rule first: decide again (on the count caught up
   * with). Undefined when nothing is to be committed.
   */
  commitDecision (): Promise<boolean> | undefined {
    if (!this.sandbox.rules.takeHits()) return undefined
    return this.ctx.db.commit().then(() => true, async (err: unknown) => {
      if (!(err instanceof StoreConflict)) throw err
      if (err.table === 'nonces') throw REPLAYED_REQUEST(undefined, { header: 'Paylab-Nonce' })
      await this.ctx.db.catchUp()
      return false
    })
  }

  /** Work a change made due at once (a notification) starts right after the answer, not at the next tick. */
  #kick (): void {
    const next = this.ctx.scheduler.nextAt()
    if (next !== undefined && next <= this.ctx.clock.now()) setImmediate(() => this.tick())
  }

  /** The hosted cashier: the buyer passed, failed or abandoned 3-D Secure or a wallet approval. */
  async completeAction (paymentId: string, action: BuyerAction): Promise<Payment> {
    return await this.#afterBuyer(() => completeAction(this.ctx, paymentId, action))
  }

  /** The hosted cashier: the buyer's card, as an envelope made in their browser. */
  async enterCard (paymentId: string, envelope: CardEnvelope): Promise<Payment> {
    const opened = this.ctx.crypto.rsaOaepDecryptAsync === undefined
      ? undefined
      : await openedEnvelope(this.ctx.crypto, envelope, (keyId) => privateKeyFor(this.ctx, keyId))
    return await this.#afterBuyer(() => enterCard(this.ctx, paymentId, envelope, opened))
  }

  /** The hosted cashier: the buyer picks another method before giving anything. */
  async chooseMethod (paymentId: string, choice: MethodChoice): Promise<Payment> {
    return await this.#afterBuyer(() => chooseMethod(this.ctx, paymentId, choice))
  }

  async #afterBuyer (op: () => Payment): Promise<Payment> {
    const payment = await this.#commit(op)
    await this.#afterChange()
    return payment
  }

  /**
   * Runs a synchronous operation and commits what it changed. A shared store that refuses the
   * commit (another gateway changed the same records first) has it undone; the operation runs
   * again on the state caught up with, and answers as one gateway would have.
   */
  #commit<T> (op: () => T): Promise<T> {
    return this.#retrying(async () => {
      const result = op()
      await this.ctx.db.commit()
      return result
    })
  }

  async #retrying<T> (run: () => Promise<T>): Promise<T> {
    for (let runs = 1; ; runs++) {
      try {
        return await run()
      } catch (err) {
        if (!(err instanceof StoreConflict)) throw err
        // Another gateway accepted this nonce first: the request is a replay there.
        if (err.table === 'nonces') throw REPLAYED_REQUEST(undefined, { header: 'Paylab-Nonce' })
        if (runs >= MAX_RUNS) throw STORAGE_UNAVAILABLE('other gateways on the same database keep changing the records of this request first; nothing of it was stored, retry in a moment', { retry_after: 1 })
        await this.ctx.db.catchUp()
      }
    }
  }

  /** After a change is durable: before_answer notifications land, and due work starts at once. */
  async #afterChange (): Promise<void> {
    await this.outbox.takeUrgent()
    this.#kick()
  }

  pendingAction (paymentId: string) { return pendingAction(this.ctx, paymentId) }
  findPayment (paymentId: string): Payment | undefined { return this.ctx.db.get('payments', paymentId) }

  get adminToken (): string { return (this.ctx.db.get('settings', 'settings') as { admin_token: string }).admin_token }
  get clock (): Clock { return this.ctx.clock }
  merchant (id: string): Merchant { return getMerchant(this.ctx, id) }
  close (): Promise<void> { this.outbox.close(); return this.ctx.db.close() }

  // Protocol
  identify (headers: Headers): Identity | undefined { return identify(this.ctx, headers) }
  authenticate (req: SignedRequest, trace?: { signed?: Buffer | string }): Identity { return authenticate(this.ctx, this.#nonces, req, trace) }
  signAnswer (identity: Identity, body: Buffer | string, fault?: SigningFault): Record<string, string> {
    return signAnswer(this.ctx, identity, body, newId('n', 24).slice(2), fault)
  }
  /** signAnswer for an answer on its way out: an RSA signature may be made off the event loop. */
  signAnswerAsync (identity: Identity, body: Buffer | string): Record<string, string> | Promise<Record<string, string>> {
    return signAnswerAsync(this.ctx, identity, body, newId('n', 24).slice(2))
  }

  keys () { return { object: 'list', data: publicKeys(this.ctx) } }
  async rotateKey () { const key = await this.#commit(() => rotateKey(this.ctx)); return publicKeys(this.ctx).find((k) => k.id === key.id) }

  // Merchants (admin)
  listMerchants () { return { object: 'list', data: [...this.ctx.db.tables.merchants.values()].map((m) => this.#view(m)) } }
  getMerchantView (id: string) { return this.#view(getMerchant(this.ctx, id)) }
  async createMerchant ({ channels, ...input }: MerchantCreate) {
    // Channel credentials are checked (and generated) before anything is stored.
    const id = input.id ?? newId('mch', 12)
    const accepted = channels === undefined ? undefined : acceptChannels(this.ctx, (n) => this.#channels.get(n), id, channels, undefined)
    const m = await this.#commit(() => {
      const made = createMerchant(this.ctx, { ...input, id })
      return accepted === undefined ? made : this.ctx.db.put('merchants', id, { ...made, channels: accepted.stored })
    })
    const { channels: _stored, ...answer } = m
    return accepted === undefined ? answer : { ...answer, channels: accepted.shown }
  }
  async updateMerchant (id: string, { channels, ...patch }: MerchantPatch) {
    const current = getMerchant(this.ctx, id)
    const accepted = channels === undefined ? undefined : acceptChannels(this.ctx, (n) => this.#channels.get(n), id, channels, current.channels)
    const m = await this.#commit(() => {
      const updated = updateMerchant(this.ctx, id, patch)
      return accepted === undefined ? updated : this.ctx.db.put('merchants', id, { ...updated, channels: accepted.stored })
    })
    const view = this.#view(m)
    return accepted === undefined ? view : { ...view, channels: { ...viewChannels((n) => this.#channels.get(n), m), ...accepted.shown } }
  }
  async rotateMerchantSecret (id: string) {
    const { channels: _stored, ...m } = await this.#commit(() => rotateMerchantSecret(this.ctx, id))
    return m
  }

  #view (merchant: Merchant) {
    const { channels: _stored, ...view } = merchantView(merchant)
    const channels = viewChannels((n) => this.#channels.get(n), merchant)
    return channels === undefined ? view : { ...view, channels }
  }

  /** The merchant whose `channel` credentials match (a profile finds who is asking by its own ids). */
  merchantByChannel (channel: string, match: (stored: unknown) => boolean): Merchant | undefined {
    for (const m of this.ctx.db.tables.merchants.values()) {
      if (m.channels !== undefined && Object.hasOwn(m.channels, channel) && match(m.channels[channel])) return m
    }
    return undefined
  }

  /**
   * Replay protection for a profile's own signed requests, with paylab's rules (auth.ts
   * claimNonce): true the first time a nonce is seen for `scope` (a merchant) while its timestamp
   * can be accepted, durable with a mutation's commit; false for a replay.
   */
  claimNonce (scope: string, nonce: string, timestamp: number, method: string): boolean {
    return claimNonce(this.ctx, this.#nonces, scope, nonce, timestamp, method)
  }

  /** Seconds on the clock signatures use (real time, even under a virtual clock). */
  signingSeconds (): number { return Math.floor(signingClock(this.ctx).now() / 1000) }

  /** A payment of one merchant and channel that `match` picks, by the profile's own ids (scans that merchant's payments). */
  findChannelPayment (merchantId: string, channel: string, match: (payment: Payment) => boolean): Payment | undefined {
    for (const p of this.ctx.db.tables.payments.values()) {
      if (p.merchant_id === merchantId && p.channel === channel && match(p)) return p
    }
    return undefined
  }

  /** A merchant's stored credentials for one channel, as its profile stored them. */
  channelCredentials (merchantId: string, channel: string): unknown {
    const channels = getMerchant(this.ctx, merchantId).channels
    return channels !== undefined && Object.hasOwn(channels, channel) ? channels[channel] : undefined
  }

  // Channel profiles: the same operations, outcomes and notifications as paylab's own API, each
  // committed before it returns; the profile maps its wire to these and the results back.
  async openPayment (merchantId: string, input: CreatePaymentInput, create: ChannelCreate): Promise<CreateResult> {
    const result = await this.#commit(() => channelOps(this.ctx).openPayment(merchantId, input, create))
    await this.#afterChange()
    return result
  }
  async closePayment (merchantId: string, id: string): Promise<Payment> {
    const payment = await this.#commit(() => cancelPayment(this.ctx, merchantId, id))
    await this.#afterChange()
    return payment
  }
  async refundPayment (merchantId: string, paymentId: string, input: CreateRefundInput): Promise<{ refund: Refund, created: boolean }> {
    const result = await this.#commit(() => createRefund(this.ctx, merchantId, paymentId, input))
    await this.#afterChange()
    return result
  }
  refundByMerchantRef (merchantId: string, merchantRefundId: string): Refund | undefined {
    const id = this.ctx.db.refundIdByMerchantRef(merchantId, merchantRefundId)
    return id === undefined ? undefined : this.ctx.db.get('refunds', id)
  }
  /**
   * Idempotency-Key handling for a profile whose protocol has it: `op` builds the answer in the
   * profile's format, changing what it changes through `ops` (synchronous), so that the change
   * and the answer kept for the key are committed together. Without a key: the same, once.
   */
  idempotent (req: MutationRequest, op: (ops: ChannelOps) => Answer): Promise<IdempotentAnswer> {
    const ops = channelOps(this.ctx)
    return this.#mutate(req, () => op(ops))
  }

  /** A card a profile took on its own wire, checked (Luhn, expiry, CVC) and reduced to what may be kept. */
  cardDetails (card: PlainCard): CardDetails {
    const secret = this.ctx.db.get('settings', 'settings')?.fingerprint_secret ?? ''
    const { digits: _digits, ...details } = describeCard(card, this.ctx.crypto, secret, this.ctx.clock.now())
    return details
  }

  /** A merchant's notification events of one channel, newest first (a profile's own events API). */
  channelEvents (merchantId: string, channel: string): NotificationEvent[] {
    const out: NotificationEvent[] = []
    for (const e of [...this.ctx.db.tables.events.values()].reverse()) {
      if (e.merchant_id === merchantId && channelOf(e) === channel) out.push(e)
    }
    return out
  }

  // Payments and refunds: mutations go through Idempotency-Key handling and one commit.
  async createPayment (req: MutationRequest, input: CreatePaymentInput): Promise<IdempotentAnswer> {
    // The card envelope's RSA unwrap is opened first, through the provider's async form (off the
    // event loop with the gateway's worker pool); the operation itself stays synchronous up to
    // its commit (idempotency.ts), and meets the opened card, or its error, where it would have
    // opened it.
    const envelope = input.method.type === 'card' ? input.method.card?.encrypted : undefined
    const opened = envelope === undefined || this.ctx.crypto.rsaOaepDecryptAsync === undefined
      ? undefined
      : await openedEnvelope(this.ctx.crypto, envelope, (keyId) => privateKeyFor(this.ctx, keyId))
    return await this.#mutate(req, () => {
      const { payment, created } = createPayment(this.ctx, req.merchantId, input, req.outcome, undefined, opened)
      const answer = this.#recordAnswer(created ? 201 : 200, payment)
      answer.ref = payment.id
      return answer
    })
  }
  capturePayment (req: MutationRequest, id: string, amount?: number) {
    return this.#mutate(req, () => this.#recordAnswer(200, capturePayment(this.ctx, req.merchantId, id, amount)))
  }
  cancelPayment (req: MutationRequest, id: string) {
    return this.#mutate(req, () => this.#recordAnswer(200, cancelPayment(this.ctx, req.merchantId, id)))
  }
  createRefund (req: MutationRequest, paymentId: string, input: CreateRefundInput) {
    return this.#mutate(req, () => {
      const { refund, created } = createRefund(this.ctx, req.merchantId, paymentId, input)
      return this.#recordAnswer(created ? 201 : 200, refund)
    })
  }

  /** The answer that returns a record: when the record was just put, its row in the store is these very bytes. */
  #recordAnswer (status: number, record: object): Answer {
    const answer = jsonAnswer(status, record)
    this.ctx.db.serialized(record, answer.body)
    return answer
  }
  getPayment (merchantId: string, id: string) { return getPayment(this.ctx, merchantId, id) }
  getPaymentByOrder (merchantId: string, orderId: string) { return getPaymentByOrder(this.ctx, merchantId, orderId) }
  listPayments (merchantId: string, limit: number, startingAfter?: string) { return listPayments(this.ctx, merchantId, limit, startingAfter) }
  statement (merchantId: string, date: string): string { return statementCsv(this.ctx, merchantId, date) }
  getRefund (merchantId: string, id: string) { return getRefund(this.ctx, merchantId, id) }
  listRefunds (merchantId: string, paymentId: string) { return listRefunds(this.ctx, merchantId, paymentId) }

  // The source document's /pay client
  verifyPaySignature (rawBody: Buffer, signatureHex: string | undefined): void { verifyPaySignature(this.ctx, rawBody, signatureHex) }
  paySignature (body: Buffer | string): string { return paySignature(this.ctx, body) }
  async pay (req: PayRequest, rawBody: Buffer, requestId: string, outcome?: Outcome): Promise<Answer> {
    const answer = await this.#commit(() => {
      try {
        return pay(this.ctx, req, rawBody, outcome)
      } catch (err) {
        if (!(err instanceof PaylabError) || err.statusCode >= 500) throw err
        return jsonAnswer(err.statusCode, payFailure(err, requestId))
      }
    })
    await this.#afterChange()
    return answer
  }

  // The operator's views and levers (admin API, dashboard)
  findPayments (filter: PaymentFilter): Payment[] { return findPayments(this.ctx, filter) }
  findEvents (filter: EventFilter): NotificationEvent[] { return findEvents(this.ctx, filter) }
  findEvent (id: string): NotificationEvent | undefined { return this.ctx.db.get('events', id) }
  // Sandbox controls (rules, journal, clock): callers use these, not the Sandbox they sit on.
  rules (merchantId?: string): Rule[] { return this.sandbox.rules.list(merchantId) }
  // The journal: this gateway's ring, or with a shared store the journal of every gateway on it
  // (an entry is there once its request is answered; see docs/postgres.md).
  async journal (query: JournalQuery): Promise<JournalEntry[]> {
    const shared = this.ctx.db.sharedJournal
    return shared === undefined ? this.sandbox.journal.query(query) : await shared.query(query)
  }
  /** This process's own ring, read at once (an in-process gateway such as msw's has no other). */
  localJournal (query: JournalQuery): JournalEntry[] { return this.sandbox.journal.query(query) }
  localJournalCount (query: JournalQuery): number { return this.sandbox.journal.count(query) }
  async journalCount (query: JournalQuery): Promise<number> {
    const shared = this.ctx.db.sharedJournal
    return shared === undefined ? this.sandbox.journal.count(query) : await shared.count(query)
  }
  async journalEntry (seq: number): Promise<JournalEntry | undefined> {
    const shared = this.ctx.db.sharedJournal
    return shared === undefined ? this.sandbox.journal.entry(seq) : await shared.entry(seq)
  }
  async clearJournal (merchantId?: string): Promise<void> {
    this.sandbox.journal.clear(merchantId)
    await this.ctx.db.sharedJournal?.clear(merchantId)
  }
  /** A request's entry in this process's journal ring, opened as it arrives. */
  openJournalEntry (init: JournalOpening): JournalEntry { return this.sandbox.journal.open(init) }
  /** Whether the store keeps a journal of every gateway on it (entries are handed over by journalDone). */
  get sharedJournal (): boolean { return this.ctx.db.sharedJournal !== undefined }
  /** A journaled request was answered (or its connection ended without one): a shared store keeps its entry now. */
  journalDone (entry: JournalEntry): void {
    this.ctx.db.sharedJournal?.add(entry)
  }
  /** The clock's mode, time and next task due. */
  clockState (): ReturnType<Sandbox['clock']> { return this.sandbox.clock() }
  /** Attempts every pending event (of one merchant) now instead of at its next attempt time; resolves to how many. */
  deliverDue (merchantId?: string): Promise<number> { return this.outbox.deliverDue(merchantId) }
  /** Sends an event again now, whatever its state; undefined when there is no such event. */
  resendEvent (id: string): Promise<NotificationEvent | undefined> { return this.outbox.resend(id) }

  async timeline (paymentId: string): Promise<PaymentTimeline | undefined> {
    const payment = this.findPayment(paymentId)
    if (payment === undefined) return undefined
    return {
      payment,
      refunds: listRefunds(this.ctx, payment.merchant_id, payment.id).data,
      changes: this.history.of(payment.id),
      events: findEvents(this.ctx, { payment_id: payment.id, limit: Infinity }).reverse(),
      requests: await this.journal({ payment_id: payment.id, limit: 1000 })
    }
  }

  /**
   * Moves a virtual clock forward (Sandbox.advance) and says what fired on the way: expiries,
   * pending resolutions, notification attempts, in order.
   */
  async advanceClock (ms: number): Promise<{ clock: ReturnType<Sandbox['clock']>, fired: FiredTask[] }> {
    const fired: FiredTask[] = []
    this.#fired = fired
    try {
      const clock = await this.sandbox.advance(ms)
      await this.ctx.db.commit()
      return { clock, fired }
    } finally {
      this.#fired = undefined
    }
  }

  /** Housekeeping the server runs now and then: forgets expired idempotency keys and nonces. */
  async sweep (): Promise<void> {
    this.#idempotency.sweep(this.ctx)
    sweepNonces(this.ctx, nonceHorizon(this.ctx))
    // A store that cannot write undoes the deletes; the next sweep makes them again.
    await this.ctx.db.commit().catch(() => {})
  }

  async #mutate (req: MutationRequest, op: () => Answer): Promise<IdempotentAnswer> {
    const answer = await this.#idempotent(req, op)
    await this.#afterChange()
    return answer
  }

  #idempotent (req: MutationRequest, op: () => Answer): Promise<IdempotentAnswer> {
    const head = `${req.method}\n${req.path}\n`
    const data = Buffer.allocUnsafe(Buffer.byteLength(head) + req.body.length)
    req.body.copy(data, data.write(head))
    const fingerprint = this.ctx.crypto.sha256(data).toString('base64url')
    return this.#retrying(() => this.#idempotency.run(this.ctx, req.merchantId, req.idempotencyKey, fingerprint, req.requestId, op))
  }
}
