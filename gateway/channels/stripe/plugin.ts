// The Stripe profile's scope: who is asking (the API key), the journal, the key check, the
// sandbox (faults, rules, Paylab-Scenario), Stripe's error format and form bodies, then the
// routes, each constrained to requests that carry a Stripe key (the `channel` constraint): Stripe's
// /v1/refunds/:id and paylab's share a path.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { sandboxed } from '../../plugins/faults.js'
import { journaled } from '../../plugins/journal.js'
import { BODY_LIMIT } from '../../plugins/raw-body.js'
import { apiKeyOf, callerOf, redactKey, type StripeCaller } from './auth.js'
import { errorAnswer, invalidRequest, toStripeError } from './errors.js'
import { eventRoutes } from './events.js'
import { parseForm } from './form.js'
import { paymentIntentRoutes } from './payment-intents.js'
import { paymentMethodRoutes } from './payment-methods.js'
import { refundRoutes } from './refunds.js'
import { mutator } from './reply.js'
import { CHANNEL, paymentIdOf } from './transformers.js'
import { views } from './views.js'
import { webhookEndpointRoutes } from './webhook-endpoints.js'
import { sendAnswer } from '../../routes/reply.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The merchant a Stripe request's API key names (undefined: no such key). */
    stripe: StripeCaller | undefined
  }
}

/** A create's amount as the sandbox reads it (magic fault amounts): the body's, or the confirmed intent's. */
function amountOf (request: FastifyRequest): number | undefined {
  const body = (request.body ?? {}) as Record<string, unknown>
  const given = Object.hasOwn(body, 'amount') ? body.amount : undefined
  if (typeof given === 'string' && /^\d{1,15}$/.test(given)) return Number(given)
  const id = (request.params as { id?: unknown }).id
  const paymentId = typeof id === 'string' ? paymentIdOf(id) : undefined
  return paymentId === undefined ? undefined : request.server.engine.findPayment(paymentId)?.amount
}

export async function stripePlugin (app: FastifyInstance): Promise<void> {
  const { engine } = app
  app.decorateRequest('stripe', undefined)

  app.addHook('onRequest', (request, reply, done) => {
    request.stripe = callerOf(engine, request.headers)
    reply.header('Request-Id', request.id)
    const version = request.headers['stripe-version']
    if (typeof version === 'string') reply.header('Stripe-Version', version)
    done()
  })
  await app.register(journaled, { channel: CHANNEL, describe: (request) => ({ merchant_id: request.stripe?.merchant.id ?? null }) })
  app.addHook('preValidation', (request, _reply, done) => {
    const entry = request.journalEntry
    if (request.stripe === undefined) {
      if (entry !== undefined) entry.signature = { verdict: 'invalid_api_key', string_to_sign: null }
      done(invalidRequest(`Invalid API Key provided: ${redactKey(apiKeyOf(request.headers))}`, undefined, undefined, 401))
      return
    }
    if (entry !== undefined) {
      entry.signature = { verdict: 'valid', string_to_sign: null }
      entry.merchant_id = request.stripe.merchant.id
    }
    done()
  })
  await app.register(sandboxed, {
    target: (request) => request.stripe === undefined
      ? undefined
      : { merchantId: request.stripe.merchant.id, amount: request.routeOptions.config.create === true ? amountOf(request) : undefined },
    // Stripe does not sign its answers: a signing fault leaves the answer as it is.
    resign: () => {}
  })

  app.setErrorHandler((err, request, reply) => {
    const stripe = toStripeError(err)
    if (stripe === undefined || stripe.statusCode >= 500) request.log.error({ err }, 'stripe profile: unexpected error')
    const answer = errorAnswer(stripe ?? invalidRequest('An unexpected error occurred in paylab; the request id says which.', undefined, undefined, 500), request.id)
    if (stripe === undefined) answer.body = answer.body.replace('"invalid_request_error"', '"api_error"')
    if (request.journalEntry !== undefined) request.journalEntry.error_code = (JSON.parse(answer.body) as { error: { code?: string, type: string } }).error.code ?? (JSON.parse(answer.body) as { error: { type: string } }).error.type
    return sendAnswer(reply, answer)
  })

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (request, body, done) => {
    request.rawBody = body as Buffer
    try {
      done(null, parseForm((body as Buffer).toString('utf8')))
    } catch (err) {
      done(err as Error, undefined)
    }
  })

  const constraints = { channel: CHANNEL }
  const kit = { views: views(engine), mutate: mutator(engine), constraints }
  paymentIntentRoutes(app, kit)
  paymentMethodRoutes(app, kit)
  refundRoutes(app, kit)
  eventRoutes(app, kit)
  webhookEndpointRoutes(app, kit)
  app.all('/v1/*', { constraints, config: { contract: false } }, async (request) => {
    throw invalidRequest(`Unrecognized request URL (${request.method}: ${request.url.split('?')[0] as string}). paylab simulates PaymentIntents, PaymentMethods, Refunds, Events and WebhookEndpoints; see docs/channels/stripe.md.`, undefined, undefined, 404)
  })
}
