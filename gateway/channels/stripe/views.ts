// The profile's objects as the API answers them: a payment of the caller found by its pi_ id,
// as a PaymentIntent (with `expand[]` of latest_charge and payment_method), and the
// PaymentMethod behind an id (a test token or one made from a number).
import type { Engine } from '../../engine/engine.js'
import { PaylabError } from '../../engine/errors.js'
import type { Payment } from '../../engine/types.js'
import type { StripeCaller } from './auth.js'
import { clientSecret } from './codec.js'
import { errorAnswer, invalidRequest, noSuch, StripeApiError } from './errors.js'
import type { Params } from './form.js'
import { list } from './params.js'
import { json } from './reply.js'
import type { Answer } from '../../engine/answers.js'
import { decodeMethodId, TEST_TOKENS, type ResolvedMethod } from './test-cards.js'
import { CHANNEL, charge, lastPaymentError, paymentIdOf, paymentIntent, paymentMethod, unix } from './transformers.js'

const EXPANDABLE = new Set(['latest_charge', 'payment_method'])

export function expansions (p: Params): string[] {
  const wanted = list(p, 'expand') ?? []
  for (const name of wanted) if (!EXPANDABLE.has(name)) throw invalidRequest(`paylab can expand latest_charge and payment_method, not ${name}`, 'expand', 'parameter_invalid_string')
  return wanted
}

export function views (engine: Engine) {
  /** The caller's Stripe payment by its pi_ (or ch_) id. */
  function find (caller: StripeCaller, id: string, param = 'intent'): Payment {
    const paymentId = paymentIdOf(id)
    let payment: Payment | undefined
    try {
      payment = paymentId === undefined ? undefined : engine.getPayment(caller.merchant.id, paymentId)
    } catch (err) {
      if (!(err instanceof PaylabError)) throw err
    }
    if (payment?.channel !== CHANNEL) throw noSuch(id.startsWith('ch_') ? 'charge' : 'payment_intent', id, param)
    return payment
  }

  function resolveMethod (id: string): ResolvedMethod {
    const token = TEST_TOKENS.get(id)
    if (token !== undefined) {
      const year = new Date(engine.clock.now()).getUTCFullYear() + 3
      return { id, card: engine.cardDetails({ number: token.number, exp_month: 12, exp_year: year, cvc: '123' }), outcome: token.outcome }
    }
    const made = decodeMethodId(id)
    if (made === undefined) throw noSuch('PaymentMethod', id, 'payment_method')
    return made
  }

  function methodObject (id: string, created: number): Record<string, unknown> {
    return paymentMethod(id, resolveMethod(id).card, created)
  }

  function chargeObject (payment: Payment): Record<string, unknown> {
    return charge(payment, engine.listRefunds(payment.merchant_id, payment.id).data)
  }

  function intent (payment: Payment, caller: StripeCaller, expand: readonly string[] = []): Record<string, unknown> {
    const pi = paymentIntent(payment, engine.pendingAction(payment.id)?.kind, clientSecret(engine.crypto, caller.credentials.secret_key, payment.id))
    if (expand.includes('latest_charge') && pi.latest_charge !== null) pi.latest_charge = chargeObject(payment)
    if (expand.includes('payment_method') && typeof pi.payment_method === 'string') pi.payment_method = methodObject(pi.payment_method, unix(payment.created_at))
    return pi
  }

  /** The answer to a confirmation: the intent, or the 402 card_error Stripe gives for a decline. */
  function confirmed (payment: Payment, caller: StripeCaller, expand: readonly string[], requestId: string): Answer {
    const error = lastPaymentError(payment)
    if (payment.status !== 'failed' || error === null) return json(200, intent(payment, caller, expand), payment.id)
    const { type, code, decline_code: declineCode, message, doc_url: docUrl } = error
    const pm = payment.channel_data?.payment_method
    return {
      ...errorAnswer(new StripeApiError(402, {
        type: type as 'card_error',
        code,
        decline_code: declineCode,
        message,
        doc_url: docUrl,
        charge: `ch_${payment.id.slice(4)}`,
        payment_intent: intent(payment, caller),
        payment_method: pm === undefined ? null : methodObject(pm, unix(payment.created_at))
      }), requestId),
      ref: payment.id
    }
  }

  return { find, resolveMethod, methodObject, chargeObject, intent, confirmed }
}

export type Views = ReturnType<typeof views>
