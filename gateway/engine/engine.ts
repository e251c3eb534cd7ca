// The payment engine: everything the channel decides, behind plain method calls. Fastify routes
// and msw handlers are thin adapters over this class; it knows nothing of HTTP frameworks or of
// how its store persists.
import { jsonAnswer, type Answer } from './answers.js'
import { authenticate, identify, signAnswer, type Headers, type Identity, type SignedRequest, type SigningFault } from './auth.js'
import { realClock, type Clock } from './clock.js'
import { DEFAULT_CONFIG, type EngineConfig, type EngineContext, type EngineEvent } from './context.js'
import { completeAction, pendingAction, runTask, type BuyerAction } from './lifecycle.js'
import { chooseMethod, enterCard, type MethodChoice } from './hosted.js'
import type { CardEnvelope } from './envelope.js'
import type { Outcome } from './outcomes.js'
import { Sandbox } from './sandbox.js'
import { Scheduler } from './scheduler.js'
import { statementCsv } from './statements.js'
import { Outbox, type NotificationTransport } from './outbox.js'
import { nodeCrypto, type CryptoProvider } from './crypto.js'
import { Db, type StorePort } from './db.js'
import { IdempotencyKeeper, type IdempotentAnswer } from './idempotency.js'
import { newId } from './ids.js'
import { publicKeys, rotateKey } from './keys.js'
import { bootstrap } from './bootstrap.js'
import { createMerchant, getMerchant, merchantView, rotateMerchantSecret, updateMerchant, type MerchantInput } from './merchants.js'
import { NonceCache } from './nonces.js'
import { pay, payFailure, paySignature, verifyPaySignature, type PayRequest } from './pay.js'
import { PaylabError } from './errors.js'
import { cancelPayment, capturePayment, createPayment, getPayment, getPaymentByOrder, listPayments, type CreatePaymentInput } from './payments.js'
import { createRefund, getRefund, listRefunds, type CreateRefundInput } from './refunds.js'
import type { Merchant, Payment } from './types.js'

export { DEMO_MERCHANT_ID } from './bootstrap.js'

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
  readonly ctx: EngineContext
  readonly sandbox: Sandbox
  readonly outbox: Outbox
  readonly #nonces = new NonceCache()
  readonly #idempotency = new IdempotencyKeeper()
  readonly #listeners: Array<(e: EngineEvent) => void>

  private constructor (ctx: EngineContext, listeners: Array<(e: EngineEvent) => void>, transport: NotificationTransport) {
    this.ctx = ctx
    this.#listeners = listeners
    this.sandbox = new Sandbox(ctx, () => { this.runDue() }, () => this.outbox.settle())
    this.outbox = new Outbox(ctx, this.sandbox.rules, transport)
    listeners.push((change) => this.outbox.onChange(change))
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
      scheduler: new Scheduler(db),
      emit: (event) => { for (const listener of listeners) listener(event) }
    }, listeners, options.transport ?? NO_TRANSPORT)
    bootstrap(engine.ctx)
    await db.commit()
    return engine
  }

  /** Listens to what the engine announces (status changes); returns the way to stop listening. */
  on (listener: (e: EngineEvent) => void): () => void {
    this.#listeners.push(listener)
    return () => { const i = this.#listeners.indexOf(listener); if (i >= 0) this.#listeners.splice(i, 1) }
  }

  /** Runs every task due on the clock (expiry, pending resolution) and persists the result. */
  runDue (): number {
    let n = 0
    for (let task = this.ctx.scheduler.takeDue(this.ctx.clock.now()); task !== undefined; task = this.ctx.scheduler.takeDue(this.ctx.clock.now())) {
      if (task.kind === 'event.deliver') this.outbox.runTask(task)
      else runTask(this.ctx, task)
      n++
    }
    void this.ctx.db.commit()
    return n
  }

  /** Work a change made due at once (a notification) starts right after the answer, not at the next tick. */
  #kick (): void {
    const next = this.ctx.scheduler.nextAt()
    if (next !== undefined && next <= this.ctx.clock.now()) setImmediate(() => this.runDue())
  }

  /** The hosted cashier: the buyer passed, failed or abandoned 3-D Secure or a wallet approval. */
  async completeAction (paymentId: string, action: BuyerAction): Promise<Payment> {
    return await this.#afterBuyer(completeAction(this.ctx, paymentId, action))
  }

  /** The hosted cashier: the buyer's card, as an envelope made in their browser. */
  async enterCard (paymentId: string, envelope: CardEnvelope): Promise<Payment> {
    return await this.#afterBuyer(enterCard(this.ctx, paymentId, envelope))
  }

  /** The hosted cashier: the buyer picks another method before giving anything. */
  async chooseMethod (paymentId: string, choice: MethodChoice): Promise<Payment> {
    return await this.#afterBuyer(chooseMethod(this.ctx, paymentId, choice))
  }

  async #afterBuyer (payment: Payment): Promise<Payment> {
    await this.ctx.db.commit()
    await this.#afterChange()
    return payment
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
  authenticate (req: SignedRequest, trace?: { stringToSign?: string }): Identity { return authenticate(this.ctx, this.#nonces, req, trace) }
  signAnswer (identity: Identity, body: Buffer, fault?: SigningFault): Record<string, string> {
    return signAnswer(this.ctx, identity, body, newId('n', 24).slice(2), fault)
  }

  keys () { return { object: 'list', data: publicKeys(this.ctx) } }
  async rotateKey () { const key = rotateKey(this.ctx); await this.ctx.db.commit(); return publicKeys(this.ctx).find((k) => k.id === key.id) }

  // Merchants (admin)
  listMerchants () { return { object: 'list', data: [...this.ctx.db.tables.merchants.values()].map(merchantView) } }
  getMerchantView (id: string) { return merchantView(getMerchant(this.ctx, id)) }
  async createMerchant (input: MerchantInput) { const m = createMerchant(this.ctx, input); await this.ctx.db.commit(); return m }
  async updateMerchant (id: string, patch: Omit<MerchantInput, 'id' | 'hmac_secret'>) {
    const m = updateMerchant(this.ctx, id, patch); await this.ctx.db.commit(); return merchantView(m)
  }
  async rotateMerchantSecret (id: string) { const m = rotateMerchantSecret(this.ctx, id); await this.ctx.db.commit(); return m }

  // Payments and refunds: mutations go through Idempotency-Key handling and one commit.
  createPayment (req: MutationRequest, input: CreatePaymentInput): Promise<IdempotentAnswer> {
    return this.#mutate(req, () => {
      const { payment, created } = createPayment(this.ctx, req.merchantId, input, req.outcome)
      return { ...jsonAnswer(created ? 201 : 200, payment), ref: payment.id }
    })
  }
  capturePayment (req: MutationRequest, id: string, amount?: number) {
    return this.#mutate(req, () => jsonAnswer(200, capturePayment(this.ctx, req.merchantId, id, amount)))
  }
  cancelPayment (req: MutationRequest, id: string) {
    return this.#mutate(req, () => jsonAnswer(200, cancelPayment(this.ctx, req.merchantId, id)))
  }
  createRefund (req: MutationRequest, paymentId: string, input: CreateRefundInput) {
    return this.#mutate(req, () => {
      const { refund, created } = createRefund(this.ctx, req.merchantId, paymentId, input)
      return jsonAnswer(created ? 201 : 200, refund)
    })
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
  async pay (req: PayRequest, requestId: string, outcome?: Outcome): Promise<Answer> {
    let answer: Answer
    try {
      answer = pay(this.ctx, req, outcome)
    } catch (err) {
      if (!(err instanceof PaylabError) || err.statusCode >= 500) throw err
      answer = jsonAnswer(err.statusCode, payFailure(err, requestId))
    }
    await this.ctx.db.commit()
    await this.#afterChange()
    return answer
  }

  /** Housekeeping the server runs now and then: forgets expired idempotency keys. */
  async sweep (): Promise<void> {
    this.#idempotency.sweep(this.ctx)
    await this.ctx.db.commit()
  }

  async #mutate (req: MutationRequest, op: () => Answer): Promise<IdempotentAnswer> {
    const answer = await this.#idempotent(req, op)
    await this.#afterChange()
    return answer
  }

  #idempotent (req: MutationRequest, op: () => Answer): Promise<IdempotentAnswer> {
    const fingerprint = this.ctx.crypto.sha256(Buffer.concat([Buffer.from(`${req.method}\n${req.path}\n`), req.body])).toString('base64url')
    return this.#idempotency.run(this.ctx, req.merchantId, req.idempotencyKey, fingerprint, req.requestId, op)
  }
}
