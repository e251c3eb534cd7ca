// The payment engine: everything the channel decides, behind plain method calls. Fastify routes
// and msw handlers are thin adapters over this class; it knows nothing of HTTP frameworks or of
// how its store persists. Its concepts live in files of their own; this class is their one facade.
import { jsonAnswer, type Answer } from './answers.js'
import { authenticate, claimNonce, identify, nonceHorizon, signAnswer, signAnswerAsync, signingClock, type Headers, type Identity, type SignedRequest, type SigningFault } from './auth.js'
import type { ChannelParts } from './channels.js'
import { channelOps, type ChannelCreate, type ChannelOps } from './channel-ops.js'
import { cardDetails, channelCredentials, channelEvents, findChannelPayment, merchantByChannel, refundByMerchantRef } from './channel-lookups.js'
import type { PlainCard } from './cards.js'
import { isoTime, realClock, VirtualClock, type Clock } from './clock.js'
import { commit, commitHits, retrying } from './commit.js'
import { DEFAULT_CONFIG, type EngineConfig, type EngineContext, type EngineEvent } from './context.js'
import { completeAction, pendingAction, type BuyerAction } from './lifecycle.js'
import { chooseMethod, enterCard, type MethodChoice } from './hosted.js'
import { openedEnvelope, type CardEnvelope } from './envelope.js'
import type { Outcome } from './outcomes.js'
import { Sandbox, type Decision, type DecideRequest } from './sandbox.js'
import type { Rule, RuleInput } from './rules.js'
import { Scheduler } from './scheduler.js'
import { statementCsv } from './statements.js'
import { History } from './history.js'
import { findEvents, findPayments, type EventFilter, type PaymentFilter } from './queries.js'
import type { JournalEntry, JournalOpening, JournalQuery } from './journal.js'
import { clearJournal, journalCount, journalEntries, journalEntry, scheduledTasks, storedCounts, timeline, type PaymentTimeline, type ScheduledTask } from './operator-views.js'
import { adminCreateMerchant, adminRotateSecret, adminUpdateMerchant, adminView, type MerchantCreate, type MerchantPatch } from './merchant-admin.js'
import { Outbox, type NotificationTransport } from './outbox.js'
import { nodeCrypto, withNativePromises, type CryptoProvider } from './crypto.js'
import { Db, type Snapshot, type StorePort } from './db.js'
import { IdempotencyKeeper, type IdempotentAnswer } from './idempotency.js'
import { newId } from './ids.js'
import { privateKeyFor, publicKeys, rotateKey } from './keys.js'
import { bootstrap } from './bootstrap.js'
import { getMerchant } from './merchants.js'
import { loadNonces, NonceCache, sweepNonces } from './nonces.js'
import { pay, payFailure, paySignature, verifyPaySignature, type PayRequest } from './pay.js'
import { PaylabError } from './errors.js'
import { cancelPayment, capturePayment, createPayment, getPayment, getPaymentByOrder, listPayments, type CreatePaymentInput, type CreateResult } from './payments.js'
import { createRefund, getRefund, listRefunds, type CreateRefundInput } from './refunds.js'
import { Ticker, type FiredTask } from './ticker.js'
import { followReplicas, shareClock } from './replicas.js'
import type { CardDetails, Merchant, NotificationEvent, Payment, Refund, TableName } from './types.js'

export { DEMO_MERCHANT_ID } from './bootstrap.js'
export type { ChannelCreate, ChannelOps, PaymentPatch } from './channel-ops.js'
export type { PaymentFilter, EventFilter } from './queries.js'
export type { PaymentTimeline, ScheduledTask } from './operator-views.js'
export type { FiredTask } from './ticker.js'
export type { MerchantCreate, MerchantPatch } from './merchant-admin.js'

export interface EngineOptions {
  store: StorePort
  crypto?: CryptoProvider
  clock?: Clock
  config?: Partial<EngineConfig>
  /** How notifications leave the engine; without one, every delivery attempt fails. */
  transport?: NotificationTransport
}

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

export class Engine {
  // The engine's state and services, for its concept modules only: callers use the methods.
  readonly #ctx: EngineContext
  readonly #sandbox: Sandbox
  readonly #outbox: Outbox
  readonly #ticker: Ticker
  readonly #history = new History()
  readonly #nonces = new NonceCache()
  readonly #idempotency = new IdempotencyKeeper()
  readonly #listeners: Array<(e: EngineEvent) => void>
  readonly #channels = new Map<string, ChannelParts>()
  readonly #channelParts = (name: string): ChannelParts | undefined => this.#channels.get(name)

  private constructor (ctx: EngineContext, listeners: Array<(e: EngineEvent) => void>, transport: NotificationTransport) {
    this.#ctx = ctx
    this.#listeners = listeners
    this.#sandbox = new Sandbox(ctx, () => { this.#ticker.runDue() }, () => this.#outbox.settle())
    this.#outbox = new Outbox(ctx, this.#sandbox.rules, transport, this.#channelParts)
    this.#ticker = new Ticker(ctx, this.#outbox)
    listeners.push((change) => this.#outbox.onChange(change))
    listeners.push((change) => this.#history.record(change, isoTime(ctx.clock)))
  }

  static async open (options: EngineOptions): Promise<Engine> {
    const crypto = withNativePromises(options.crypto ?? nodeCrypto)
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
      bootstrap(engine.#ctx)
      shareClock(engine.#ctx)
    })
    loadNonces(engine.#ctx, engine.#nonces, nonceHorizon(engine.#ctx))
    followReplicas(engine.#ctx, engine.#nonces)
    return engine
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
  catchUp (): Promise<void> | undefined { return this.#ctx.db.catchUp() }

  /** Whether other gateways write to the store too: only then is there anything for catchUp() to do. */
  get sharedStore (): boolean { return this.#ctx.db.shared }

  /** The server's ticker: catches up (a shared store), then runs what is due, in slices (ticker.ts). */
  tick (): void { this.#ticker.tick() }
  /** Runs every task due on the clock (expiry, pending resolution) and persists the result. */
  runDue (): number { return this.#ticker.runDue() }

  // Sandbox rules (admin)
  addRule (input: RuleInput) { return this.#commit(() => this.#sandbox.addRule(input)) }
  deleteRule (id: string): Promise<boolean> { return this.#commit(() => this.#sandbox.rules.delete(id)) }
  resetRules (merchantId: string): Promise<number> { return this.#commit(() => this.#sandbox.rules.reset(merchantId)) }

  /** The sandbox's decision on a request: the fault to act out and the outcome to give, if any. */
  decideRequest (req: DecideRequest): Decision { return this.#sandbox.decide(req) }
  /** A decision as the journal shows it. */
  describeDecision (d: Decision): { fault: string | null, outcome: string | null, rule_id: string | null } { return this.#sandbox.describe(d) }
  /** After decideRequest: commits the rule hits it counted, with a shared store (commit.ts commitHits). */
  commitDecision (): Promise<boolean> | undefined { return commitHits(this.#ctx, this.#sandbox.rules) }

  /** The hosted cashier: the buyer passed, failed or abandoned 3-D Secure or a wallet approval. */
  completeAction (paymentId: string, action: BuyerAction): Promise<Payment> {
    return this.#change(() => completeAction(this.#ctx, paymentId, action))
  }

  /** The hosted cashier: the buyer's card, as an envelope made in their browser. */
  async enterCard (paymentId: string, envelope: CardEnvelope): Promise<Payment> {
    const opened = this.#ctx.crypto.rsaOaepDecryptAsync === undefined
      ? undefined
      : await openedEnvelope(this.#ctx.crypto, envelope, (keyId) => privateKeyFor(this.#ctx, keyId))
    return await this.#change(() => enterCard(this.#ctx, paymentId, envelope, opened))
  }

  /** The hosted cashier: the buyer picks another method before giving anything. */
  chooseMethod (paymentId: string, choice: MethodChoice): Promise<Payment> {
    return this.#change(() => chooseMethod(this.#ctx, paymentId, choice))
  }

  /** Runs a synchronous operation and commits what it changed, again on a conflict (commit.ts). */
  #commit<T> (op: () => T): Promise<T> { return commit(this.#ctx, op) }

  /** After a change is durable: before_answer notifications land, and due work starts at once. */
  async #afterChange (): Promise<void> {
    await this.#outbox.takeUrgent()
    this.#ticker.kick()
  }

  /** A change outside Idempotency-Key handling: committed, then followed up as every change is. */
  async #change<T> (op: () => T): Promise<T> {
    const result = await this.#commit(op)
    await this.#afterChange()
    return result
  }

  pendingAction (paymentId: string) { return pendingAction(this.#ctx, paymentId) }
  findPayment (paymentId: string): Payment | undefined { return this.#ctx.db.get('payments', paymentId) }

  get adminToken (): string { return (this.#ctx.db.get('settings', 'settings') as { admin_token: string }).admin_token }
  get clock (): Clock { return this.#ctx.clock }
  /** The crypto provider the engine signs and verifies with (profiles sign their own wires with it). */
  get crypto (): CryptoProvider { return this.#ctx.crypto }
  /** The engine's settings, to read; the one that changes after start has its own setter. */
  get config (): Readonly<EngineConfig> { return this.#ctx.config }
  /** The gateway's public URL once it is known (a server listening on port 0 learns it late). */
  setPublicUrl (url: string): void { this.#ctx.config.publicUrl = url }
  merchant (id: string): Merchant { return getMerchant(this.#ctx, id) }
  close (): Promise<void> { this.#outbox.close(); return this.#ctx.db.close() }

  // Protocol
  identify (headers: Headers): Identity | undefined { return identify(this.#ctx, headers) }
  authenticate (req: SignedRequest, trace?: { signed?: Buffer | string }): Identity { return authenticate(this.#ctx, this.#nonces, req, trace) }
  signAnswer (identity: Identity, body: Buffer | string, fault?: SigningFault): Record<string, string> {
    return signAnswer(this.#ctx, identity, body, newId('n', 24).slice(2), fault)
  }
  /** signAnswer for an answer on its way out or a notification: an RSA signature may be made off the event loop. */
  signAnswerAsync (identity: Identity, body: Buffer | string, fault?: SigningFault): Record<string, string> | Promise<Record<string, string>> {
    return signAnswerAsync(this.#ctx, identity, body, newId('n', 24).slice(2), fault)
  }

  keys () { return { object: 'list', data: publicKeys(this.#ctx) } }
  async rotateKey () { const key = await this.#commit(() => rotateKey(this.#ctx)); return publicKeys(this.#ctx).find((k) => k.id === key.id) }

  // Merchants (admin), with each channel profile's credentials (merchant-admin.ts)
  listMerchants () { return { object: 'list', data: [...this.#ctx.db.tables.merchants.values()].map((m) => adminView(this.#channelParts, m)) } }
  getMerchantView (id: string) { return adminView(this.#channelParts, getMerchant(this.#ctx, id)) }
  createMerchant (input: MerchantCreate) { return adminCreateMerchant(this.#ctx, this.#channelParts, input) }
  updateMerchant (id: string, patch: MerchantPatch) { return adminUpdateMerchant(this.#ctx, this.#channelParts, id, patch) }
  rotateMerchantSecret (id: string) { return adminRotateSecret(this.#ctx, id) }

  /**
   * Replay protection for a profile's own signed requests, with paylab's rules (auth.ts
   * claimNonce): true the first time a nonce is seen for `scope` (a merchant) while its timestamp
   * can be accepted, durable with a mutation's commit; false for a replay.
   */
  claimNonce (scope: string, nonce: string, timestamp: number, method: string): boolean {
    return claimNonce(this.#ctx, this.#nonces, scope, nonce, timestamp, method)
  }

  /** Seconds on the clock signatures use (real time, even under a virtual clock). */
  signingSeconds (): number { return Math.floor(this.signingNow() / 1000) }
  /** Milliseconds on the clock signatures use. */
  signingNow (): number { return signingClock(this.#ctx).now() }

  // What a channel profile looks up by its own ids (channel-lookups.ts)
  /** The merchant whose `channel` credentials match (a profile finds who is asking by its own ids). */
  merchantByChannel (channel: string, match: (stored: unknown) => boolean): Merchant | undefined { return merchantByChannel(this.#ctx, channel, match) }
  /** A payment of one merchant and channel that `match` picks, by the profile's own ids (scans that merchant's payments). */
  findChannelPayment (merchantId: string, channel: string, match: (payment: Payment) => boolean): Payment | undefined { return findChannelPayment(this.#ctx, merchantId, channel, match) }
  /** A merchant's stored credentials for one channel, as its profile stored them. */
  channelCredentials (merchantId: string, channel: string): unknown { return channelCredentials(this.#ctx, merchantId, channel) }
  refundByMerchantRef (merchantId: string, merchantRefundId: string): Refund | undefined { return refundByMerchantRef(this.#ctx, merchantId, merchantRefundId) }
  /** A card a profile took on its own wire, checked (Luhn, expiry, CVC) and reduced to what may be kept. */
  cardDetails (card: PlainCard): CardDetails { return cardDetails(this.#ctx, card) }
  /** A merchant's notification events of one channel, newest first (a profile's own events API). */
  channelEvents (merchantId: string, channel: string): NotificationEvent[] { return channelEvents(this.#ctx, merchantId, channel) }

  // Channel profiles: the same operations, outcomes and notifications as paylab's own API, each
  // committed before it returns; the profile maps its wire to these and the results back.
  openPayment (merchantId: string, input: CreatePaymentInput, create: ChannelCreate): Promise<CreateResult> {
    return this.#change(() => channelOps(this.#ctx).openPayment(merchantId, input, create))
  }
  closePayment (merchantId: string, id: string): Promise<Payment> { return this.#change(() => cancelPayment(this.#ctx, merchantId, id)) }
  refundPayment (merchantId: string, paymentId: string, input: CreateRefundInput): Promise<{ refund: Refund, created: boolean }> {
    return this.#change(() => createRefund(this.#ctx, merchantId, paymentId, input))
  }
  /**
   * Idempotency-Key handling for a profile whose protocol has it: `op` builds the answer in the
   * profile's format, changing what it changes through `ops` (synchronous), so that the change
   * and the answer kept for the key are committed together. Without a key: the same, once.
   */
  idempotent (req: MutationRequest, op: (ops: ChannelOps) => Answer): Promise<IdempotentAnswer> {
    const ops = channelOps(this.#ctx)
    return this.#mutate(req, () => op(ops))
  }

  // Payments and refunds: mutations go through Idempotency-Key handling and one commit.
  async createPayment (req: MutationRequest, input: CreatePaymentInput): Promise<IdempotentAnswer> {
    // The card envelope's RSA unwrap is opened first, through the provider's async form (off the
    // event loop with the gateway's worker pool); the operation itself stays synchronous up to
    // its commit (idempotency.ts), and meets the opened card, or its error, where it would have
    // opened it.
    const envelope = input.method.type === 'card' ? input.method.card?.encrypted : undefined
    const opened = envelope === undefined || this.#ctx.crypto.rsaOaepDecryptAsync === undefined
      ? undefined
      : await openedEnvelope(this.#ctx.crypto, envelope, (keyId) => privateKeyFor(this.#ctx, keyId))
    return await this.#mutate(req, () => {
      const { payment, created } = createPayment(this.#ctx, req.merchantId, input, req.outcome, undefined, opened)
      const answer = this.#recordAnswer(created ? 201 : 200, payment)
      answer.ref = payment.id
      return answer
    })
  }
  capturePayment (req: MutationRequest, id: string, amount?: number) {
    return this.#mutate(req, () => this.#recordAnswer(200, capturePayment(this.#ctx, req.merchantId, id, amount)))
  }
  cancelPayment (req: MutationRequest, id: string) {
    return this.#mutate(req, () => this.#recordAnswer(200, cancelPayment(this.#ctx, req.merchantId, id)))
  }
  createRefund (req: MutationRequest, paymentId: string, input: CreateRefundInput) {
    return this.#mutate(req, () => {
      const { refund, created } = createRefund(this.#ctx, req.merchantId, paymentId, input)
      return this.#recordAnswer(created ? 201 : 200, refund)
    })
  }

  /** The answer that returns a record: when the record was just put, its row in the store is these very bytes. */
  #recordAnswer (status: number, record: object): Answer {
    const answer = jsonAnswer(status, record)
    this.#ctx.db.serialized(record, answer.body)
    return answer
  }
  getPayment (merchantId: string, id: string) { return getPayment(this.#ctx, merchantId, id) }
  getPaymentByOrder (merchantId: string, orderId: string) { return getPaymentByOrder(this.#ctx, merchantId, orderId) }
  listPayments (merchantId: string, limit: number, startingAfter?: string) { return listPayments(this.#ctx, merchantId, limit, startingAfter) }
  statement (merchantId: string, date: string): string { return statementCsv(this.#ctx, merchantId, date) }
  getRefund (merchantId: string, id: string) { return getRefund(this.#ctx, merchantId, id) }
  listRefunds (merchantId: string, paymentId: string) { return listRefunds(this.#ctx, merchantId, paymentId) }

  // The source document's /pay client
  verifyPaySignature (rawBody: Buffer, signatureHex: string | undefined): void { verifyPaySignature(this.#ctx, rawBody, signatureHex) }
  paySignature (body: Buffer | string): string { return paySignature(this.#ctx, body) }
  pay (req: PayRequest, rawBody: Buffer, requestId: string, outcome?: Outcome): Promise<Answer> {
    return this.#change(() => {
      try {
        return pay(this.#ctx, req, rawBody, outcome)
      } catch (err) {
        if (!(err instanceof PaylabError) || err.statusCode >= 500) throw err
        return jsonAnswer(err.statusCode, payFailure(err, requestId))
      }
    })
  }

  // The operator's views and levers (admin API, dashboard; operator-views.ts)
  findPayments (filter: PaymentFilter): Payment[] { return findPayments(this.#ctx, filter) }
  /** Every payment of one merchant, oldest first (an in-process sandbox's test view). */
  merchantPayments (merchantId: string): Payment[] { return [...this.#ctx.db.tables.payments.values()].filter((p) => p.merchant_id === merchantId) }
  /** What a sandbox reset keeps: merchants (with their secrets), gateway keys and settings. */
  setup (): Pick<Snapshot, 'merchants' | 'keys' | 'settings'> { const { merchants, keys, settings } = this.#ctx.db.snapshot(); return { merchants, keys, settings } }
  findEvents (filter: EventFilter): NotificationEvent[] { return findEvents(this.#ctx, filter) }
  findEvent (id: string): NotificationEvent | undefined { return this.#ctx.db.get('events', id) }
  rules (merchantId?: string): Rule[] { return this.#sandbox.rules.list(merchantId) }
  /** The journal: this gateway's ring, or with a shared store the journal of every gateway on it. */
  journal (query: JournalQuery): Promise<JournalEntry[]> { return journalEntries(this.#ctx, this.#sandbox.journal, query) }
  /** This process's own ring, read at once (an in-process gateway such as msw's has no other). */
  localJournal (query: JournalQuery): JournalEntry[] { return this.#sandbox.journal.query(query) }
  localJournalCount (query: JournalQuery): number { return this.#sandbox.journal.count(query) }
  journalCount (query: JournalQuery): Promise<number> { return journalCount(this.#ctx, this.#sandbox.journal, query) }
  journalEntry (seq: number): Promise<JournalEntry | undefined> { return journalEntry(this.#ctx, this.#sandbox.journal, seq) }
  clearJournal (merchantId?: string): Promise<void> { return clearJournal(this.#ctx, this.#sandbox.journal, merchantId) }
  /** A request's entry in this process's journal ring, opened as it arrives. */
  openJournalEntry (init: JournalOpening): JournalEntry { return this.#sandbox.journal.open(init) }
  /** Whether the store keeps a journal of every gateway on it (entries are handed over by journalDone). */
  get sharedJournal (): boolean { return this.#ctx.db.sharedJournal !== undefined }
  /** A journaled request was answered (or its connection ended without one): a shared store keeps its entry now. */
  journalDone (entry: JournalEntry): void { this.#ctx.db.sharedJournal?.add(entry) }
  timeline (paymentId: string): Promise<PaymentTimeline | undefined> { return timeline(this.#ctx, this.#sandbox.journal, this.#history, paymentId) }
  /** How many records each table holds (payments, events, tasks, …), at no scan. */
  storedCounts (): Record<TableName, number> { return storedCounts(this.#ctx) }
  /** The tasks waiting on the clock (expiries, resolutions, notification attempts), as copies. */
  scheduledTasks (): ScheduledTask[] { return scheduledTasks(this.#ctx) }

  /** The clock's mode, time and next task due. */
  clockState (): ReturnType<Sandbox['clock']> { return this.#sandbox.clock() }
  /**
   * Moves a virtual clock forward (Sandbox.advance) and says what fired on the way: expiries,
   * pending resolutions, notification attempts, in order.
   */
  async advanceClock (ms: number): Promise<{ clock: ReturnType<Sandbox['clock']>, fired: FiredTask[] }> {
    const { result: clock, fired } = await this.#ticker.recording(async () => {
      const clock = await this.#sandbox.advance(ms)
      await this.#ctx.db.commit()
      return clock
    })
    return { clock, fired }
  }

  /** Attempts every pending event (of one merchant) now instead of at its next attempt time; resolves to how many. */
  deliverDue (merchantId?: string): Promise<number> { return this.#outbox.deliverDue(merchantId) }
  /** Sends an event again now, whatever its state; undefined when there is no such event. */
  resendEvent (id: string): Promise<NotificationEvent | undefined> { return this.#outbox.resend(id) }

  /** Housekeeping the server runs now and then: forgets expired idempotency keys and nonces. */
  async sweep (): Promise<void> {
    this.#idempotency.sweep(this.#ctx)
    sweepNonces(this.#ctx, nonceHorizon(this.#ctx))
    // A store that cannot write undoes the deletes; the next sweep makes them again.
    await this.#ctx.db.commit().catch(() => {})
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
    const fingerprint = this.#ctx.crypto.sha256(data).toString('base64url')
    return retrying(this.#ctx, () => this.#idempotency.run(this.#ctx, req.merchantId, req.idempotencyKey, fingerprint, req.requestId, op))
  }
}
