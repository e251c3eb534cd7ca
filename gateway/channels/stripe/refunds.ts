// Refunds of a PaymentIntent (or its charge): create (partial or the rest), retrieve, list.
import type { FastifyInstance } from 'fastify'
import { PaylabError } from '../../engine/errors.js'
import { newId } from '../../engine/ids.js'
import { about } from '../../routes/reply.js'
import type { Refund } from '../../engine/types.js'
import type { StripeCaller } from './auth.js'
import { invalidRequest, noSuch } from './errors.js'
import { parseQuery } from './form.js'
import { int, metadata, only, oneOf, paging, str } from './params.js'
import { bodyOf, callerOf, json } from './reply.js'
import type { Kit } from './payment-intents.js'
import { CHANNEL, refund } from './transformers.js'

export function refundRoutes (app: FastifyInstance, { views, mutate, constraints }: Kit): void {
  const { engine } = app
  const route = { constraints, config: { contract: false as const } }

  function findRefund (caller: StripeCaller, id: string): Refund {
    try {
      const r = engine.getRefund(caller.merchant.id, id)
      if (engine.findPayment(r.payment_id)?.channel === CHANNEL) return r
    } catch (err) {
      if (!(err instanceof PaylabError)) throw err
    }
    throw noSuch('refund', id)
  }

  /** The caller's Stripe refunds, newest first: of one payment, or of all of them. */
  function refundsOf (caller: StripeCaller, paymentIntent: string | undefined): Refund[] {
    if (paymentIntent !== undefined) {
      const payment = views.find(caller, paymentIntent, 'payment_intent')
      return [...engine.listRefunds(caller.merchant.id, payment.id).data].reverse()
    }
    const all: Refund[] = []
    let cursor: string | undefined
    for (;;) {
      const page = engine.listPayments(caller.merchant.id, 100, cursor)
      for (const p of page.data) if (p.channel === CHANNEL && p.amount_refunded > 0) all.push(...engine.listRefunds(caller.merchant.id, p.id).data)
      if (!page.has_more) break
      cursor = page.data.at(-1)?.id
    }
    return all.sort((a, b) => a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0)
  }

  app.post('/v1/refunds', route, (request, reply) => mutate(request, reply, (ops, caller) => {
    const p = bodyOf(request)
    only(p, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand', 'instructions_email'], { refund_application_fee: 'Connect', reverse_transfer: 'Connect' })
    const target = str(p, 'payment_intent') ?? str(p, 'charge')
    if (target === undefined) throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', 'payment_intent', 'parameter_missing')
    const payment = views.find(caller, target, str(p, 'payment_intent') === undefined ? 'charge' : 'payment_intent')
    metadata(p)
    const { refund: made } = ops.refundPayment(caller.merchant.id, payment.id, {
      merchant_refund_id: newId('stripe_re', 24),
      amount: int(p, 'amount'),
      reason: oneOf(p, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer'])
    })
    return json(200, refund(made), payment.id)
  }))

  app.get<{ Params: { id: string } }>('/v1/refunds/:id', route, async (request) => {
    const found = findRefund(callerOf(request), request.params.id)
    about(request, found.payment_id)
    return refund(found)
  })

  app.get('/v1/refunds', route, async (request) => {
    const caller = callerOf(request)
    const q = parseQuery(request.url)
    const { limit, startingAfter } = paging(q)
    let all = refundsOf(caller, str(q, 'payment_intent') ?? str(q, 'charge'))
    if (startingAfter !== undefined) {
      const at = all.findIndex((r) => r.id === startingAfter)
      if (at < 0) throw noSuch('refund', startingAfter, 'starting_after')
      all = all.slice(at + 1)
    }
    return { object: 'list', data: all.slice(0, limit).map(refund), has_more: all.length > limit, url: '/v1/refunds' }
  })
}
