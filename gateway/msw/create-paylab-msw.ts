// paylab/msw: msw request handlers that answer the channel's API in-process, with the gateway's
// own app and engine, and a control object for the test.
import type { FastifyInstance } from 'fastify'
import { http, type HttpHandler } from 'msw'
import { VirtualClock } from '../engine/clock.js'
import type { EngineConfig } from '../engine/context.js'
import { nodeCrypto, type CryptoProvider } from '../engine/crypto.js'
import type { Engine } from '../engine/engine.js'
import type { JournalQuery } from '../engine/journal.js'
import type { MerchantInput } from '../engine/merchants.js'
import type { RuleInput } from '../engine/rules.js'
import type { Payment } from '../engine/types.js'
import { parseDuration } from '../engine/duration.js'
import { SANDBOX_TEST_ONLY_KEY, SANDBOX_TEST_ONLY_KEYS } from '../engine/sandbox-key.js'
import { httpTransport } from '../notify/http-transport.js'
import { markerFaults } from '../plugins/transport-faults.js'
import { buildGateway } from '../server.js'
import { CHANNEL_PROFILES } from '../channels/index.js'
import { MemoryStore } from '../store/memory-store.js'
import { CaptureTransport, type CapturedNotification } from './capture-transport.js'
import { forward } from './forward.js'

export interface PaylabMswOptions {
  /** The URL your code calls the channel at; msw answers for it. */
  baseUrl?: string
  /** `virtual` (default): time moves only with control.advance(). */
  clock?: 'virtual' | 'real'
  /** `capture` (default): kept in control.notifications; `fetch`: POSTed to notify_url (msw may intercept). */
  notifications?: 'capture' | 'fetch'
  config?: Partial<EngineConfig>
  /**
   * The channel protocols answered (all by default). A test of one client needs only its own:
   * each protocol left out is a few milliseconds less per createPaylabMsw() and reset().
   */
  channels?: readonly ChannelName[]
  /** Whether the sandbox dashboard's pages are answered at /dashboard (true by default). */
  dashboard?: boolean
}

export type ChannelName = 'paylab' | 'wechatpay' | 'alipay' | 'stripe'

export interface PaylabMsw {
  handlers: HttpHandler[]
  control: PaylabControl
}

export async function createPaylabMsw (options: PaylabMswOptions = {}): Promise<PaylabMsw> {
  const control = await PaylabControl.start(options)
  const base = control.baseUrl
  const handlers = [http.all(`${base}/*`, async ({ request }) => await forward(control.app, request))]
  return { handlers, control }
}

export class PaylabControl {
  readonly baseUrl: string
  readonly #options: PaylabMswOptions
  readonly #capture = new CaptureTransport()
  readonly #crypto: CryptoProvider
  #gateway!: { app: FastifyInstance, engine: Engine }

  private constructor (options: PaylabMswOptions) {
    this.#options = options
    this.baseUrl = (options.baseUrl ?? 'https://paylab.test').replace(/\/$/, '')
    // One key pair for every key this object's gateway makes (merchants' channel keys, the
    // channels' demo apps), for its whole life, so that reset() keeps it: a published TEST ONLY
    // pair other than the gateway's own (config.initialKey), as an in-memory gateway starts on.
    // Generating RSA-2048 instead cost 100-300 ms of CPU in every test that made a PaylabControl.
    const pair = SANDBOX_TEST_ONLY_KEYS[1] as { publicKeyPem: string, privateKeyPem: string }
    this.#crypto = { ...nodeCrypto, generateRsaKeyPair: () => pair }
    const names = CHANNEL_PROFILES.map((p) => p.name).join(', ')
    const { channels, dashboard } = options
    // Checked here, not by the types alone: plain JavaScript callers pass anything.
    if (channels !== undefined && !Array.isArray(channels)) throw new TypeError(`createPaylabMsw: channels must be an array of channel names (${names})`)
    const unknown = channels?.filter((name) => !CHANNEL_PROFILES.some((p) => p.name === name)) ?? []
    if (unknown.length > 0) throw new TypeError(`createPaylabMsw: no channel named ${unknown.join(', ')}; the channels are ${names}`)
    // The control's merchants, keys and reset are paylab's own API: a gateway without it would hand out credentials nothing answers.
    if (channels !== undefined && !channels.includes('paylab')) throw new TypeError('createPaylabMsw: channels must include paylab (the control speaks its API), as `paylab gateway --channels` must')
    if (dashboard !== undefined && typeof dashboard !== 'boolean') throw new TypeError('createPaylabMsw: dashboard must be true or false')
  }

  static async start (options: PaylabMswOptions): Promise<PaylabControl> {
    const control = new PaylabControl(options)
    await control.#build({})
    return control
  }

  async #build (initial: ConstructorParameters<typeof MemoryStore>[0]): Promise<void> {
    const names = this.#options.channels
    this.#gateway = await buildGateway({
      store: new MemoryStore(initial),
      ...(names === undefined ? {} : { channels: CHANNEL_PROFILES.filter((p) => (names as readonly string[]).includes(p.name)) }),
      ...(this.#options.dashboard === undefined ? {} : { dashboard: this.#options.dashboard }),
      crypto: this.#crypto,
      ...(this.#options.clock === 'real' ? {} : { clock: new VirtualClock() }),
      transportFaults: markerFaults(),
      transport: this.#options.notifications === 'fetch' ? httpTransport : this.#capture,
      config: { publicUrl: this.baseUrl, notifyHosts: ['*'], initialKey: SANDBOX_TEST_ONLY_KEY, ...this.#options.config }
    })
  }

  get app (): FastifyInstance { return this.#gateway.app }
  get engine (): Engine { return this.#gateway.engine }

  /** Credentials of a merchant (the built-in `demo` by default) for your client under test. */
  merchant (id = 'demo'): { id: string, secret: string, gatewayKeys: Array<{ id: string, public_key: string }> } {
    const m = this.engine.merchant(id)
    return { id: m.id, secret: m.hmac_secret, gatewayKeys: this.engine.keys().data }
  }

  async createMerchant (input: MerchantInput): Promise<{ id: string, secret: string }> {
    const m = await this.engine.createMerchant(input)
    return { id: m.id, secret: m.hmac_secret }
  }

  addRule (rule: RuleInput) { return this.engine.addRule(rule) }
  rules (merchantId?: string) { return this.engine.rules(merchantId) }

  /** Moves the virtual clock, firing expiry, pending resolution and notification retries on the way. */
  async advance (by: number | string) {
    const { clock } = await this.engine.advanceClock(typeof by === 'number' ? by : parseDuration(by))
    return clock
  }

  now (): number { return this.engine.clock.now() }

  payments (merchantId = 'demo'): Payment[] {
    return this.engine.merchantPayments(merchantId)
  }

  payment (id: string): Payment | undefined { return this.engine.findPayment(id) }
  // msw's engine is in memory, its journal this process's ring: read at once, without a promise.
  journal (query: JournalQuery = {}) { return this.engine.localJournal(query) }
  count (query: JournalQuery = {}): number { return this.engine.localJournalCount(query) }

  /** Notifications delivered so far (with `notifications: 'capture'`). */
  get notifications (): readonly CapturedNotification[] { return this.#capture.delivered }

  /** What the pretend notification receiver answers (default 200). */
  respondToNotifications (status: number | ((n: { url: string, body: string }) => number)): void {
    this.#capture.respondWith = typeof status === 'number' ? () => status : status
  }

  /** Completes a waiting payment's hosted page as the buyer would: pass, fail or cancel. */
  async buyer (paymentId: string, action: 'pass' | 'fail' | 'cancel'): Promise<Payment> {
    return await this.engine.completeAction(paymentId, action)
  }

  /**
   * Forgets every payment, refund, event, rule and journal line, and the clock; keeps the
   * merchants (with their secrets) and the gateway keys, so clients made earlier still work.
   */
  async reset (): Promise<void> {
    const setup = this.engine.setup()
    await this.#gateway.app.close()
    this.#capture.delivered.length = 0
    this.#capture.respondWith = () => 200
    await this.#build(setup)
  }

  async close (): Promise<void> { await this.#gateway.app.close() }
}
