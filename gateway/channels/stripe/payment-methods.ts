// PaymentMethods: Stripe's test tokens (pm_card_visa…) retrieved as objects, and cards made from
// test numbers (card[number], as Stripe's test mode takes them). Nothing is stored: the id of a
// made one carries its details (test-cards.ts), never the number.
import type { FastifyInstance } from 'fastify'
import { invalidRequest } from './errors.js'
import { hash, only, str } from './params.js'
import { bodyOf, callerOf } from './reply.js'
import type { Kit } from './payment-intents.js'
import { encodeMethodId, outcomeOfNumber } from './test-cards.js'
import { paymentMethod } from './transformers.js'

export function paymentMethodRoutes (app: FastifyInstance, { views, constraints }: Kit): void {
  const { engine } = app
  const route = { constraints, config: { contract: false as const } }
  const now = () => Math.floor(engine.clock.now() / 1000)

  app.post('/v1/payment_methods', route, async (request) => {
    callerOf(request)
    const p = bodyOf(request)
    only(p, ['type', 'card', 'billing_details', 'metadata', 'expand'])
    if (str(p, 'type', true) !== 'card') throw invalidRequest('paylab simulates card payment methods only: type takes card.', 'type', 'parameter_invalid_string')
    const card = hash(p, 'card')
    if (card === undefined) throw invalidRequest('Missing required param: card.', 'card', 'parameter_missing')
    only(card, ['number', 'exp_month', 'exp_year', 'cvc'])
    const number = (str(card, 'number', true) as string).replace(/[\s-]/g, '')
    const year = Number(str(card, 'exp_year', true))
    const details = engine.cardDetails({
      number,
      exp_month: Number(str(card, 'exp_month', true)),
      exp_year: year < 100 ? 2000 + year : year,
      // Stripe takes a card without its CVC; the engine's check wants one.
      cvc: str(card, 'cvc') ?? '000'
    })
    return paymentMethod(encodeMethodId(details, outcomeOfNumber(number)), details, now())
  })

  app.get<{ Params: { id: string } }>('/v1/payment_methods/:id', route, async (request) => {
    callerOf(request)
    return views.methodObject(request.params.id, now())
  })
}
