import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Answer } from '../engine/answers.js'
import type { MutationRequest } from '../engine/engine.js'
import type { IdempotentAnswer } from '../engine/idempotency.js'

/** Sends an engine answer byte for byte (the signature covers exactly these bytes). */
export function sendAnswer (reply: FastifyReply, answer: Answer | IdempotentAnswer): FastifyReply {
  const entry = reply.request.journalEntry
  if (entry !== undefined) {
    if (answer.ref !== undefined) entry.payment_id = answer.ref
    if ('replayed' in answer) entry.idempotency = answer.replayed ? 'replayed' : reply.request.headers['idempotency-key'] === undefined ? null : 'new'
    // A refusal the engine answers (and keeps for Idempotency-Key replays) is never thrown: read its code here.
    if (answer.status >= 400 && entry.error_code === null) entry.error_code = errorCodeOf(answer.body)
  }
  reply.code(answer.status).type('application/json')
  if (answer.headers !== undefined) reply.headers(answer.headers)
  if ('replayed' in answer && answer.replayed) reply.header('Paylab-Idempotent-Replayed', 'true')
  return reply.send(answer.body)
}

function errorCodeOf (body: string): string | null {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code
    return typeof code === 'string' ? code : null
  } catch {
    return null
  }
}

export function sendJson (reply: FastifyReply, value: unknown, status = 200): FastifyReply {
  return reply.code(status).type('application/json').send(JSON.stringify(value))
}

/** What the engine needs to know of a signed mutation for Idempotency-Key handling. */
export function mutation (request: FastifyRequest): MutationRequest {
  const identity = request.identity
  if (identity === undefined) throw new Error('mutation() on an unauthenticated request')
  const key = request.headers['idempotency-key']
  return {
    merchantId: identity.merchant.id,
    idempotencyKey: Array.isArray(key) ? key[0] : key,
    method: request.method,
    path: request.url,
    body: request.rawBody,
    requestId: request.id,
    // A create's outcome chosen by a sandbox rule or `Paylab-Scenario: outcome=…` (faults plugin).
    outcome: request.decision?.outcome
  }
}

/** The merchant of an authenticated request. */
/** Files the request under a payment in the journal (the payment's timeline lists it); returns the id. */
export function about (request: FastifyRequest, paymentId: string): string {
  const entry = request.journalEntry
  if (entry !== undefined && entry.payment_id === null) entry.payment_id = paymentId
  return paymentId
}

export function merchantOf (request: FastifyRequest): string {
  const identity = request.identity
  if (identity === undefined) throw new Error('merchantOf() on an unauthenticated request')
  return identity.merchant.id
}
