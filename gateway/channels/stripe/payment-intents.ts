// PaymentIntents: create (with or without confirm), update, confirm, capture (partial with
// capture_method=manual), cancel, retrieve and list. Mutations run through Idempotency-Key
// handling with the engine's synchronous operations (reply.ts).
import type { FastifyInstance } from 'fastify'
import { newId } from '../../engine/ids.js'
import { about } from '../../routes/reply.js'
import { invalidRequest } from './errors.js'
import { parseQuery } from './form.js'
import { bool, int, list, metadata, only, oneOf, paging, str } from './params.js'
import { bodyOf, callerOf, json, type mutator } from './reply.js'
import { CHANNEL, intentStatus } from './transformers.js'
import { expansions, type Views } from './views.js'

/** Stripe's parameters that belong to products paylab does not simulate. */
export const CONNECT: Readonly<Record<string, string>> = {
  application_fee_amount: 'Connect', on_behalf_of: 'Connect', transfer_data: 'Connect', transfer_group: 'Connect', customer: 'Customers'
}
const IGNORED = ['receipt_email', 'setup_future_usage', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix', 'payment_method_options', 'automatic_payment_methods', 'use_stripe_sdk', 'mandate_data', 'error_on_requires_action', 'off_session', 'radar_options', 'payment_method_configuration', 'confirmation_method']
const CREATE = ['amount', 'currency', 'payment_method', 'payment_method_types', 'confirm', 'capture_method', 'description', 'metadata', 'return_url', 'expand', ...IGNORED]
const UPDATE = ['amount', 'currency', 'description', 'metadata', 'payment_method', 'payment_method_types', 'capture_method', 'expand', ...IGNORED]
const CONFIRM = ['payment_method', 'return_url', 'expand', 'capture_method', ...IGNORED]

/** An intent nobody confirms is canceled (abandoned) after this long. */
export const UNCONFIRMED_TTL_SEC = 30 * 86400

const WAITING = new Set(['requires_payment_method', 'requires_confirmation'])

export interface Kit { views: Views, mutate: ReturnType<typeof mutator>, constraints: { channel: string } }

export function paymentIntentRoutes (app: FastifyInstance, { views, mutate, constraints }: Kit): void {
  const { engine } = app
  const route = { constraints, config: { contract: false as const } }
  const charging = { constraints, config: { contract: false as const, create: true } }
  type Id = { Params: { id: string } }

  const captureOf = (value: string | undefined) => value === 'manual' ? 'manual' as const : 'automatic' as const
  const checkTypes = (types: string[] | undefined) => {
    if (types !== undefined && types.some((t) => t !== 'card')) throw invalidRequest('paylab simulates card payments only: payment_method_types takes card.', 'payment_method_types', 'payment_method_unactivated')
  }

  app.post('/v1/payment_intents', charging, (request, reply) => mutate(request, reply, (ops, caller) => {
    const p = bodyOf(request)
    only(p, CREATE, CONNECT)
    const amount = int(p, 'amount', true) as number
    const currency = (str(p, 'currency', true) as string).toUpperCase()
    const confirm = bool(p, 'confirm') ?? false
    const capture = captureOf(oneOf(p, 'capture_method', ['automatic', 'automatic_async', 'manual']))
    checkTypes(list(p, 'payment_method_types'))
    const expand = expansions(p)
    const pmId = str(p, 'payment_method')
    const method = pmId === undefined ? undefined : views.resolveMethod(pmId)
    if (confirm && method === undefined) throw invalidRequest('You cannot confirm this PaymentIntent because it\'s missing a payment method. Pass payment_method.', 'payment_method', 'payment_intent_unexpected_state')
    const returnUrl = str(p, 'return_url')
    const { payment } = ops.openPayment(caller.merchant.id, {
      merchant_order_id: newId('stripe', 24),
      amount,
      currency,
      method: method !== undefined && confirm ? { type: 'card' } : { type: 'card', card: { entry: 'hosted' } },
      capture,
      ...(confirm ? {} : { expires_in: UNCONFIRMED_TTL_SEC }),
      ...(returnUrl === undefined ? {} : { return_url: returnUrl }),
      ...(str(p, 'description') === undefined ? {} : { description: str(p, 'description') }),
      metadata: metadata(p) ?? {}
    }, {
      channel: CHANNEL,
      channelData: pmId === undefined ? {} : { payment_method: pmId },
      outcome: request.decision?.outcome ?? (confirm ? method?.outcome : undefined),
      card: confirm ? method?.card : undefined
    })
    return confirm ? views.confirmed(payment, caller, expand, request.id) : json(200, views.intent(payment, caller, expand), payment.id)
  }))

  app.post<Id>('/v1/payment_intents/:id', route, (request, reply) => mutate(request, reply, (ops, caller) => {
    const p = bodyOf(request)
    only(p, UPDATE, CONNECT)
    const payment = views.find(caller, request.params.id)
    const status = intentStatus(payment, engine.pendingAction(payment.id)?.kind)
    const currency = str(p, 'currency')
    if (currency !== undefined && currency.toUpperCase() !== payment.currency) throw invalidRequest('paylab fixes the currency of a PaymentIntent when it is created.', 'currency', 'parameter_invalid_string')
    const capture = oneOf(p, 'capture_method', ['automatic', 'automatic_async', 'manual'])
    if (capture !== undefined && captureOf(capture) !== payment.capture) throw invalidRequest('paylab fixes capture_method when the PaymentIntent is created.', 'capture_method', 'parameter_invalid_string')
    checkTypes(list(p, 'payment_method_types'))
    const pmId = str(p, 'payment_method')
    if (pmId !== undefined) {
      if (!WAITING.has(status)) throw invalidRequest(`You cannot update this PaymentIntent's payment_method because it has a status of ${status}.`, 'payment_method', 'payment_intent_unexpected_state')
      views.resolveMethod(pmId)
    }
    const amount = int(p, 'amount')
    const description = str(p, 'description')
    const updated = ops.updatePayment(caller.merchant.id, payment.id, {
      amount,
      description: description === '' ? null : description,
      metadata: metadata(p, payment.metadata),
      channelData: pmId === undefined ? undefined : { ...payment.channel_data, payment_method: pmId }
    })
    return json(200, views.intent(updated, caller, expansions(p)), payment.id)
  }))

  app.post<Id>('/v1/payment_intents/:id/confirm', charging, (request, reply) => mutate(request, reply, (ops, caller) => {
    const p = bodyOf(request)
    only(p, CONFIRM, CONNECT)
    const payment = views.find(caller, request.params.id)
    const status = intentStatus(payment, engine.pendingAction(payment.id)?.kind)
    if (payment.status === 'failed') throw invalidRequest('paylab does not confirm a declined PaymentIntent again: create a new one.', undefined, 'payment_intent_unexpected_state')
    if (!WAITING.has(status)) throw invalidRequest(`You cannot confirm this PaymentIntent because it has a status of ${status}.`, undefined, 'payment_intent_unexpected_state')
    const pmId = str(p, 'payment_method') ?? payment.channel_data?.payment_method
    if (pmId === undefined) throw invalidRequest('You cannot confirm this PaymentIntent because it\'s missing a payment method. Pass payment_method.', 'payment_method', 'payment_intent_unexpected_state')
    const method = views.resolveMethod(pmId)
    const returnUrl = str(p, 'return_url')
    ops.updatePayment(caller.merchant.id, payment.id, { return_url: returnUrl, channelData: { ...payment.channel_data, payment_method: pmId } })
    const after = ops.confirmCard(caller.merchant.id, payment.id, method.card, request.decision?.outcome ?? method.outcome)
    return views.confirmed(after, caller, expansions(p), request.id)
  }))

  app.post<Id>('/v1/payment_intents/:id/capture', route, (request, reply) => mutate(request, reply, (ops, caller) => {
    const p = bodyOf(request)
    only(p, ['amount_to_capture', 'expand', 'metadata', 'final_capture', 'statement_descriptor', 'statement_descriptor_suffix'], CONNECT)
    const payment = views.find(caller, request.params.id)
    const captured = ops.capturePayment(caller.merchant.id, payment.id, int(p, 'amount_to_capture'))
    const meta = metadata(p, captured.metadata)
    const after = meta === undefined ? captured : ops.updatePayment(caller.merchant.id, payment.id, { metadata: meta })
    return json(200, views.intent(after, caller, expansions(p)), payment.id)
  }))

  app.post<Id>('/v1/payment_intents/:id/cancel', route, (request, reply) => mutate(request, reply, (ops, caller) => {
    const p = bodyOf(request)
    only(p, ['cancellation_reason', 'expand'])
    const payment = views.find(caller, request.params.id)
    const reason = oneOf(p, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'])
    const after = ops.closePayment(caller.merchant.id, payment.id, reason)
    return json(200, views.intent(after, caller, expansions(p)), payment.id)
  }))

  app.get<Id>('/v1/payment_intents/:id', route, async (request) => {
    const caller = callerOf(request)
    const q = parseQuery(request.url)
    const payment = views.find(caller, request.params.id)
    about(request, payment.id) // filed under the payment: its dashboard timeline lists the read
    return views.intent(payment, caller, expansions(q))
  })

  app.get('/v1/payment_intents', route, async (request) => {
    const caller = callerOf(request)
    const q = parseQuery(request.url)
    const { limit, startingAfter } = paging(q)
    const expand = expansions(Object.assign(Object.create(null) as Record<string, unknown>, { expand: (list(q, 'expand') ?? []).map((e) => e.replace(/^data\./, '')) }))
    let cursor = startingAfter === undefined ? undefined : views.find(caller, startingAfter, 'starting_after').id
    const data = []
    let hasMore = false
    // The merchant's payments of every channel, newest first; this list shows the Stripe ones.
    for (;;) {
      const page = engine.listPayments(caller.merchant.id, 100, cursor)
      for (const payment of page.data) {
        if (payment.channel !== CHANNEL) continue
        if (data.length === limit) { hasMore = true; break }
        data.push(views.intent(payment, caller, expand))
      }
      if (hasMore || !page.has_more) break
      cursor = page.data.at(-1)?.id
    }
    return { object: 'list', data, has_more: hasMore, url: '/v1/payment_intents' }
  })
}
