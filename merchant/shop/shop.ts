// What the shop does, apart from HTTP: checkout, returns, notifications, refunds. Every payment
// fact it stores comes from a verified gateway answer, query or notification.
import { randomBytes } from 'node:crypto'
import { isAmbiguous, PaylabApiError, PaylabClient, PaylabSignatureError, verifyNotification, type CardEnvelope, type CreatePaymentParams, type Payment, type PaylabEvent, type Refund } from '../sdk/index.js'
import type { Product } from './catalogue.js'
import { applyPayment, applyRefund, note, type Order, type OrderItem } from './orders.js'
import { eventWords, formatAmount, methodWords, paymentWords, queryReason } from './words.js'
import type { OrderStore } from './store.js'

export interface CheckoutInput {
  items?: Array<{ product_id: string, quantity: number }>
  amount?: number
  currency?: string
  method?: Order['method']
  /** In clear (a test card; the SDK encrypts it), an envelope made in the buyer's browser, or left to the channel's hosted page. */
  card?: { number: string, exp_month?: number, exp_year?: number, cvc?: string } | { encrypted: CardEnvelope } | { entry: 'hosted' }
  wallet?: string
  capture?: 'automatic' | 'manual'
  expires_in?: number
  metadata?: Record<string, string>
}

export class ShopError extends Error {
  constructor (message: string, readonly statusCode: number, readonly code: string) { super(message) }
}

export interface ShopDeps {
  client: PaylabClient
  store: OrderStore
  catalogue: Product[]
  /** Where the gateway sends notifications and the buyer comes back. */
  publicUrl: string
  now: () => number
}

export class Shop {
  constructor (readonly deps: ShopDeps) {}

  #at (): string { return new Date(this.deps.now()).toISOString() }

  async checkout (input: CheckoutInput): Promise<Order> {
    const { store, client, publicUrl } = this.deps
    const items = this.#items(input)
    const amount = input.amount ?? items.reduce((sum, i) => sum + i.unit_amount * i.quantity, 0)
    if (!Number.isInteger(amount) || amount <= 0) throw new ShopError('an order needs items or a positive whole amount in minor units', 400, 'SHOP_BAD_ORDER')
    const at = this.#at()
    const order: Order = {
      id: `ord_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`,
      status: 'created', items, amount, currency: input.currency ?? 'USD', method: input.method ?? 'card',
      payment_id: null, payment_status: null, payment_updated_at: null, next_action_url: null, failure: null,
      amount_refunded: 0, refunds: [], applied_events: [], timeline: [], created_at: at, updated_at: at
    }
    const total = formatAmount(amount, order.currency)
    const count = items.reduce((n, i) => n + i.quantity, 0)
    note(order, 'order', `Order placed${count === 0 ? '' : ` for ${count} item${count === 1 ? '' : 's'}`}: ${total}.`, at)
    await store.save(order)
    const method = this.#method(order, input, at)
    const how = method.type !== 'card'
      ? `to be paid with ${methodWords({ type: method.type, wallet: input.wallet ?? 'alipay' })}`
      : 'entry' in method.card ? 'the card to be entered on the channel\'s secure page, so the shop never sees it' : 'the card details encrypted for the channel only'
    await store.update(order.id, (o) => note(o, 'request', `The shop asked the payment channel for ${total}, ${how}. The request was signed with the shop's key.`, this.#at()))
    try {
      const payment = await client.createPayment({
        merchant_order_id: order.id, amount, currency: order.currency, method,
        notify_url: `${publicUrl}/notifications`,
        return_url: `${publicUrl}/orders/${order.id}/return`,
        ...(input.capture === undefined ? {} : { capture: input.capture }),
        ...(input.expires_in === undefined ? {} : { expires_in: input.expires_in }),
        ...(input.metadata === undefined ? {} : { metadata: input.metadata })
      }, { idempotencyKey: `create:${order.id}` })
      return await store.update(order.id, (o) => {
        note(o, 'answer', `The channel answered and its signature checked out: the payment is ${paymentWords(payment)}.`, this.#at())
        applyPayment(o, payment, this.#at(), 'answer')
      })
    } catch (err) {
      return await store.update(order.id, (o) => {
        if (err instanceof PaylabApiError && !isAmbiguous(err)) {
          o.status = 'payment_failed'
          o.failure = { code: err.code, message: err.message }
          note(o, 'answer', `The channel refused the payment request: ${err.message} (${err.code}).`, this.#at())
        } else {
          // Unknown outcome even after queries: leave it pending; a query or reconciliation settles it.
          o.status = 'pending_payment'
          note(o, 'answer', `No answer the shop could trust came back (${(err as Error).name}); it will ask the channel for the result.`, this.#at())
        }
      })
    }
  }

  /** Asks the gateway for the order's payment and applies what it says (return page, repair). */
  async sync (orderId: string, reason: string): Promise<Order> {
    const order = this.#order(orderId)
    const payment = order.payment_id === null
      ? await this.deps.client.findPaymentByOrder(order.id)
      : await this.deps.client.getPayment(order.payment_id)
    return await this.deps.store.update(orderId, (o) => {
      if (payment === undefined) { note(o, 'query', `${queryReason(reason)}: it has no payment for this order.`, this.#at()); return }
      note(o, 'query', `${queryReason(reason)}; its signed answer says the payment is ${paymentWords(payment)}.`, this.#at())
      applyPayment(o, payment, this.#at(), reason)
    })
  }

  /** A notification: verified on the raw body, applied once, stored before it is acknowledged. */
  async notification (rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<{ status: number, message: string }> {
    const { client } = this.deps
    let event: PaylabEvent
    try {
      event = verifyNotification(rawBody, headers, { secret: client.options.secret, gatewayKeys: await this.#keys(headers), toleranceSec: client.options.toleranceSec, now: client.options.now })
    } catch (err) {
      if (err instanceof PaylabSignatureError) return { status: 400, message: err.message }
      throw err
    }
    const object = event.data.object
    let order = object.object === 'payment'
      ? this.deps.store.get(object.merchant_order_id) ?? this.deps.store.byPayment(object.id)
      : this.deps.store.byPayment(object.payment_id)
    // A refund of a payment the shop never recorded (its answer was lost, the events came out of
    // order): the payment, asked for by id, names the order. Acknowledging it unapplied would lose it.
    let payment: Payment | undefined
    if (order === undefined && object.object === 'refund') {
      payment = await this.deps.client.getPayment(object.payment_id).catch((err: unknown) => {
        if (err instanceof PaylabApiError && err.code === 'PAYLAB_PAYMENT_NOT_FOUND') return undefined
        throw err // unknown for now: a 5xx makes the gateway retry
      })
      order = payment === undefined ? undefined : this.deps.store.get(payment.merchant_order_id)
    }
    if (order === undefined) return { status: 200, message: 'not an order of this shop' }
    await this.deps.store.update(order.id, (o) => {
      if (o.applied_events.includes(event.id)) return
      o.applied_events.push(event.id)
      if (payment !== undefined) applyPayment(o, payment, this.#at(), 'query')
      note(o, 'notification', `The channel sent a notification (${eventWords(event.type)}); the shop checked its signature before using it.`, this.#at())
      if (object.object === 'payment') applyPayment(o, object, this.#at(), 'notification')
      else applyRefund(o, object, this.#at())
    })
    return { status: 200, message: 'applied' }
  }

  async refund (orderId: string, amount?: number): Promise<Order> {
    const order = this.#order(orderId)
    if (order.payment_id === null) throw new ShopError('the order has no payment to refund', 409, 'SHOP_NOT_PAID')
    // One id per refund the shop asks for: the same after a crash (the gateway answers the refund
    // it already made), a new one after a refusal (else the next refund would reuse a refused id).
    const refused = order.timeline.filter((e) => e.kind === 'refund_refused').length
    const merchantRefundId = `${order.id}-r${order.refunds.length + refused + 1}`
    let refund: Refund
    try {
      refund = await this.deps.client.createRefund(order.payment_id, { merchant_refund_id: merchantRefundId, ...(amount === undefined ? {} : { amount }) })
    } catch (err) {
      if (err instanceof PaylabApiError && !isAmbiguous(err)) {
        await this.deps.store.update(orderId, (o) => note(o, 'refund_refused', `Refund ${merchantRefundId} refused by the channel: ${err.code}.`, this.#at()))
      }
      throw err
    }
    // The payment says how much was captured: refunding all of a partial capture refunds the order.
    const payment = await this.deps.client.getPayment(order.payment_id).catch(() => undefined)
    return await this.deps.store.update(orderId, (o) => {
      note(o, 'refund', `Refund of ${refund.amount} ${refund.currency} ${refund.status}.`, this.#at())
      applyRefund(o, refund, this.#at())
      if (payment !== undefined) applyPayment(o, payment, this.#at(), 'refund')
    })
  }

  /** Takes the money of an authorized (capture: manual) payment: all of it, or `amount`. */
  async capture (orderId: string, amount?: number): Promise<Order> {
    const paymentId = this.#paymentOf(orderId)
    const payment = await this.deps.client.capturePayment(paymentId, amount, { idempotencyKey: `capture:${orderId}` })
    return await this.deps.store.update(orderId, (o) => {
      note(o, 'capture', `Captured ${payment.amount_captured} ${payment.currency} (minor units).`, this.#at())
      applyPayment(o, payment, this.#at(), 'capture')
    })
  }

  /** Releases a payment that has not been taken (authorized, or waiting for the buyer). */
  async cancel (orderId: string): Promise<Order> {
    const paymentId = this.#paymentOf(orderId)
    const payment = await this.deps.client.cancelPayment(paymentId, { idempotencyKey: `cancel:${orderId}` })
    return await this.deps.store.update(orderId, (o) => {
      note(o, 'cancel', 'The payment was canceled.', this.#at())
      applyPayment(o, payment, this.#at(), 'cancel')
    })
  }

  #paymentOf (orderId: string): string {
    const order = this.#order(orderId)
    if (order.payment_id === null) throw new ShopError('the order has no payment', 409, 'SHOP_NOT_PAID')
    return order.payment_id
  }

  order (id: string): Order { return this.#order(id) }

  #method (order: Order, input: CheckoutInput, at: string): CreatePaymentParams['method'] {
    if (order.method === 'wallet') return { type: 'wallet', wallet: { provider: input.wallet ?? 'alipay' } }
    if (order.method === 'bank_transfer') return { type: 'bank_transfer' }
    const card = input.card
    if (card !== undefined && !('number' in card)) return { type: 'card', card }
    return { type: 'card', card: { exp_month: 12, exp_year: new Date(at).getUTCFullYear() + 2, cvc: '123', ...card, number: card?.number ?? '4242424242424242' } }
  }

  #order (id: string): Order {
    const order = this.deps.store.get(id)
    if (order === undefined) throw new ShopError(`no order ${id}`, 404, 'SHOP_ORDER_NOT_FOUND')
    return order
  }

  #items (input: CheckoutInput): OrderItem[] {
    return (input.items ?? []).map(({ product_id: id, quantity }) => {
      const product = this.deps.catalogue.find((p) => p.id === id)
      if (product === undefined || !Number.isInteger(quantity) || quantity < 1) throw new ShopError(`unknown product ${id} or bad quantity`, 400, 'SHOP_BAD_ORDER')
      return { product_id: id, name: product.name, quantity, unit_amount: product.price }
    })
  }

  async #keys (headers: Record<string, string | string[] | undefined>) {
    const keyId = headers['paylab-key-id']
    if (keyId === undefined) return undefined
    const known = this.deps.client.options.gatewayKeys
    if (known !== undefined) return known
    try { return await this.deps.client.refreshKeys() } catch { return [] }
  }
}
