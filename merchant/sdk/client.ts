// PaylabClient: every call of the channel, signed, with every answer verified before its body is
// trusted, and with the fault handling a payment integration needs — above all, never a second
// charge: a create whose outcome is unknown is looked up by merchant_order_id before anything
// else, and retried only with the same Idempotency-Key and the same bytes.
import { randomUUID } from 'node:crypto'
import { encryptCard } from './crypto.js'
import { isAmbiguous, PaylabApiError, PaylabMalformedAnswerError, PaylabSignatureError } from './errors.js'
import { resolveOptions, type PaylabClientOptions, type ResolvedOptions } from './options.js'
import { backoffMs, sleep } from './retry.js'
import { signingHeaders, verifySigned } from './signing.js'
import { exchange, type RawAnswer } from './transport.js'
import type { CreatePaymentParams, CreateRefundParams, GatewayKey, List, Payment, Refund } from './types.js'

export interface CallOptions { idempotencyKey?: string }

export class PaylabClient {
  readonly options: ResolvedOptions
  readonly #keys = new Map<string, Pick<GatewayKey, 'id' | 'public_key'>>()
  #activeKey: Pick<GatewayKey, 'id' | 'public_key'> | undefined

  constructor (options: PaylabClientOptions) {
    this.options = resolveOptions(options)
    for (const key of this.options.gatewayKeys ?? []) this.#keys.set(key.id, key)
    this.#activeKey = this.options.gatewayKeys?.[0]
  }

  // Payments
  async createPayment (params: CreatePaymentParams, opts: CallOptions = {}): Promise<Payment> {
    const body = { ...params, ...(params.notify_url === undefined && this.options.notifyUrl !== undefined ? { notify_url: this.options.notifyUrl } : {}) }
    // A card in clear is encrypted once: every retry must send the very same bytes under the same
    // key. An envelope made elsewhere, or a card left to the hosted cashier, goes as it is.
    if (params.method.type === 'card' && 'number' in params.method.card) {
      const key = await this.#gatewayKey()
      Object.assign(body, { method: { type: 'card', card: { encrypted: encryptCard(params.method.card, key) } } })
    }
    const key = opts.idempotencyKey ?? randomUUID()
    return await this.#retrying(
      () => this.request<Payment>('POST', '/v1/payments', body, key),
      // One query per attempt: the loop around it already retries, and nested retries would turn
      // an overloaded gateway's 503s into maxAttempts² requests.
      () => this.#lookupOrder(params.merchant_order_id)
    )
  }

  async #lookupOrder (merchantOrderId: string): Promise<Payment | undefined> {
    try {
      return await this.request<Payment>('GET', `/v1/payments/order/${encodeURIComponent(merchantOrderId)}`)
    } catch (err) {
      if (err instanceof PaylabApiError && err.code === 'PAYLAB_PAYMENT_NOT_FOUND') return undefined
      throw err
    }
  }

  getPayment (id: string): Promise<Payment> { return this.#retrying(() => this.request('GET', `/v1/payments/${encodeURIComponent(id)}`)) }
  getPaymentByOrder (merchantOrderId: string): Promise<Payment> {
    return this.#retrying(() => this.request('GET', `/v1/payments/order/${encodeURIComponent(merchantOrderId)}`))
  }

  /** The payment of an order, or undefined when the gateway has none. */
  async findPaymentByOrder (merchantOrderId: string): Promise<Payment | undefined> {
    try {
      return await this.getPaymentByOrder(merchantOrderId)
    } catch (err) {
      if (err instanceof PaylabApiError && err.code === 'PAYLAB_PAYMENT_NOT_FOUND') return undefined
      throw err
    }
  }

  listPayments (query: { limit?: number, starting_after?: string } = {}): Promise<List<Payment>> {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()
    return this.#retrying(() => this.request('GET', `/v1/payments${qs === '' ? '' : `?${qs}`}`))
  }

  capturePayment (id: string, amount?: number, opts: CallOptions = {}): Promise<Payment> {
    const key = opts.idempotencyKey ?? randomUUID()
    return this.#retrying(() => this.request('POST', `/v1/payments/${encodeURIComponent(id)}/capture`, amount === undefined ? {} : { amount }, key))
  }

  cancelPayment (id: string, opts: CallOptions = {}): Promise<Payment> {
    const key = opts.idempotencyKey ?? randomUUID()
    return this.#retrying(() => this.request('POST', `/v1/payments/${encodeURIComponent(id)}/cancel`, {}, key))
  }

  // Refunds: merchant_refund_id makes a retried refund safe on its own; the key makes it byte-exact.
  createRefund (paymentId: string, params: CreateRefundParams, opts: CallOptions = {}): Promise<Refund> {
    const key = opts.idempotencyKey ?? `refund:${params.merchant_refund_id}`
    return this.#retrying(() => this.request('POST', `/v1/payments/${encodeURIComponent(paymentId)}/refunds`, params, key))
  }

  getRefund (id: string): Promise<Refund> { return this.#retrying(() => this.request('GET', `/v1/refunds/${encodeURIComponent(id)}`)) }
  listRefunds (paymentId: string): Promise<List<Refund>> {
    return this.#retrying(() => this.request('GET', `/v1/payments/${encodeURIComponent(paymentId)}/refunds`))
  }

  /** The daily statement (CSV text) for reconciliation. */
  statement (date: string): Promise<string> {
    return this.#retrying(() => this.request<string>('GET', `/v1/statements?date=${encodeURIComponent(date)}`, undefined, undefined, 'text'))
  }

  /** The gateway's public keys, refreshed from GET /v1/keys. */
  async refreshKeys (): Promise<GatewayKey[]> {
    const list = await this.#retrying(() => this.request<List<GatewayKey>>('GET', '/v1/keys', undefined, undefined, 'json', true))
    for (const key of list.data) this.#keys.set(key.id, key)
    this.#activeKey = list.data.find((k) => k.status === 'active') ?? this.#activeKey
    return list.data
  }

  /**
   * One signed request and its verified answer. Throws PaylabApiError for a verified refusal,
   * PaylabSignatureError for an answer that cannot be trusted, and the transport's errors.
   */
  async request<T> (method: string, path: string, body?: unknown, idempotencyKey?: string, as: 'json' | 'text' = 'json', keysRequest = false): Promise<T> {
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body))
    const answer = await this.#send(method, path, payload, idempotencyKey)
    await this.#verify(answer, keysRequest)
    const retryAfter = answer.headers.get('retry-after')
    if (answer.status >= 400) {
      const error = parseJson(answer.body) as { error?: Record<string, unknown> } | undefined
      const e = error?.error
      if (e === undefined || typeof e.code !== 'string') throw new PaylabMalformedAnswerError(`HTTP ${answer.status} without a paylab error body`)
      const { code, message, request_id: requestId, ...details } = e
      throw new PaylabApiError(String(message), code, answer.status, requestId as string | undefined, details, retryAfter === null ? undefined : Number(retryAfter))
    }
    if (as === 'text') return answer.body.toString('utf8') as T
    const value = parseJson(answer.body)
    if (value === undefined) throw new PaylabMalformedAnswerError(`the ${method} ${path} answer is not JSON`)
    return value as T
  }

  async #send (method: string, path: string, payload: Buffer, idempotencyKey?: string): Promise<RawAnswer> {
    const o = this.options
    // Signed afresh for every attempt: a retry is a new request (new nonce) with the same body.
    const headers: Record<string, string> = signingHeaders(
      { merchantId: o.merchantId, signatureType: o.signatureType, secret: o.secret, privateKey: o.privateKey },
      method, path, payload, Math.floor(o.now() / 1000))
    if (payload.length > 0) headers['content-type'] = 'application/json'
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey
    return await exchange(o.fetch, `${o.baseUrl}${path}`, { method, headers, ...(payload.length > 0 ? { body: new Uint8Array(payload) } : {}) }, o.timeoutMs)
  }

  async #verify (answer: RawAnswer, keysRequest: boolean): Promise<void> {
    const check = () => verifySigned(answer.body, answer.headers, {
      secret: this.options.secret,
      keys: this.#keys,
      toleranceSec: this.options.toleranceSec,
      nowSec: Math.floor(this.options.now() / 1000)
    })
    const keyId = answer.headers.get('paylab-key-id')
    if (keyId !== null && !this.#keys.has(keyId) && this.options.gatewayKeys === undefined) {
      if (keysRequest) {
        // Trust on first use: the key list is checked against a key it contains. Pin keys to avoid it.
        const list = parseJson(answer.body) as List<GatewayKey> | undefined
        for (const key of list?.data ?? []) this.#keys.set(key.id, key)
      } else {
        await this.refreshKeys() // a rotated gateway key: learn it, then check
      }
    }
    check()
  }

  async #gatewayKey (): Promise<Pick<GatewayKey, 'id' | 'public_key'>> {
    if (this.#activeKey === undefined) await this.refreshKeys()
    if (this.#activeKey === undefined) throw new PaylabSignatureError('the gateway lists no active key to encrypt cards for')
    return this.#activeKey
  }

  /** Retries what is safe to retry; `recover` finds out whether an unknown outcome happened. */
  async #retrying<T> (attempt: () => Promise<T>, recover?: () => Promise<T | undefined>): Promise<T> {
    const { retry, random } = this.options
    for (let n = 1; ; n++) {
      try {
        return await attempt()
      } catch (err) {
        if (!isAmbiguous(err)) throw err
        if (recover !== undefined) {
          const found = await recover().catch(() => undefined)
          if (found !== undefined) return found
        }
        const wait = backoffMs(n, retry, random, err)
        if (n >= retry.maxAttempts || wait === Infinity) throw err
        await sleep(wait)
      }
    }
  }
}

function parseJson (body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
}
