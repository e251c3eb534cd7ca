// Answering as Stripe: JSON with Request-Id, and mutations through the engine's Idempotency-Key
// handling as Stripe documents it (kept 24 h; a replay answers the stored bytes with
// `Idempotent-Replayed: true`; other parameters → 400 idempotency_error; a key whose first request
// is still under way → 409 idempotency_key_in_use, which stripe-node retries).
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Answer } from '../../engine/answers.js'
import type { ChannelOps, Engine } from '../../engine/engine.js'
import { sendAnswer } from '../../routes/reply.js'
import type { StripeCaller } from './auth.js'
import { errorAnswer, StripeApiError, toStripeError } from './errors.js'
import type { Params } from './form.js'

export const json = (status: number, value: unknown, ref?: string): Answer => ({ status, body: JSON.stringify(value), ...(ref === undefined ? {} : { ref }) })

export function callerOf (request: FastifyRequest): StripeCaller {
  if (request.stripe === undefined) throw new Error('a Stripe route reached without a caller')
  return request.stripe
}

export const bodyOf = (request: FastifyRequest): Params => (request.body ?? Object.create(null)) as Params

export type Mutation = (ops: ChannelOps, caller: StripeCaller) => Answer

export function mutator (engine: Engine) {
  const inflight = new Set<string>()
  return async function mutate (request: FastifyRequest, reply: FastifyReply, op: Mutation): Promise<FastifyReply> {
    const caller = callerOf(request)
    const header = request.headers['idempotency-key']
    const key = Array.isArray(header) ? header[0] : header
    const slot = key === undefined ? undefined : `${caller.merchant.id}\u0000${key}`
    if (slot !== undefined && inflight.has(slot)) {
      throw new StripeApiError(409, {
        type: 'invalid_request_error',
        code: 'idempotency_key_in_use',
        message: 'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through). Please try again later.'
      }, { 'Stripe-Should-Retry': 'true' })
    }
    if (slot !== undefined) inflight.add(slot)
    try {
      const answer = await engine.idempotent({
        merchantId: caller.merchant.id,
        idempotencyKey: key,
        method: request.method,
        path: request.url,
        body: request.rawBody,
        requestId: request.id
      }, (ops) => {
        try {
          return op(ops, caller)
        } catch (err) {
          // A refusal is an answer, kept for the key like any other (Stripe replays errors too).
          const stripe = toStripeError(err)
          if (stripe === undefined || stripe.statusCode >= 500) throw err
          return errorAnswer(stripe, request.id)
        }
      })
      if (answer.replayed) reply.header('Idempotent-Replayed', 'true')
      return sendAnswer(reply, answer)
    } finally {
      if (slot !== undefined) inflight.delete(slot)
    }
  }
}
