// Every failure leaves as a JSON error with a code from the registry: Fastify's own errors and
// schema validation are translated here, and anything unexpected is a logged PAYLAB_INTERNAL.
import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { Socket } from 'node:net'
import { errorObject } from '../engine/answers.js'
import {
  BAD_REQUEST, BODY_TOO_LARGE, IDEMPOTENCY_CONFLICT, INTERNAL, MALFORMED_JSON, PaylabError, REQUEST_TIMEOUT, ROUTE_NOT_FOUND, UNSUPPORTED_MEDIA_TYPE, VALIDATION_FAILED
} from '../engine/errors.js'
import { newId } from '../engine/ids.js'
import { payFailure } from '../engine/pay.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Errors of this route are answered in the source document's `{status: "failed"}` shape. */
    payStyle?: boolean
  }
}

/** Path segments longer than this never reach a route (ids are far shorter); see server.ts. */
export const MAX_PARAM_LENGTH = 500

interface AjvError { instancePath: string, keyword?: string, message?: string, params: Record<string, unknown> }

export function toPaylabError (err: FastifyError | PaylabError | Error, contentType?: string): PaylabError {
  if (err instanceof PaylabError) return err
  const e = err as FastifyError & { validation?: AjvError[], validationContext?: string }
  if (Array.isArray(e.validation) && e.validation.length > 0) return validationError(e.validation[0] as AjvError, e.validationContext ?? 'body')
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return BODY_TOO_LARGE(undefined, { field: 'body' })
    // Fastify's message does not say which type was sent; the caller passes the header.
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return UNSUPPORTED_MEDIA_TYPE(`Content-Type ${contentType === undefined ? '(none)' : JSON.stringify(contentType)} is not accepted; send the body as application/json`, { field: 'Content-Type' })
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return MALFORMED_JSON('the body is empty; send a JSON object', { field: 'body' })
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return BAD_REQUEST('the body is not as long as Content-Length says', { field: 'Content-Length' })
    case 'FST_ERR_BAD_URL': return BAD_REQUEST('the path is not valid percent-encoded UTF-8', { field: 'path' })
    case 'FST_ERR_MAX_PARAM_LENGTH': return VALIDATION_FAILED(`a path parameter is longer than ${MAX_PARAM_LENGTH} characters`, { field: 'path', location: 'params' })
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return BAD_REQUEST(e.message)
  return INTERNAL()
}

function validationError (first: AjvError, context: string): PaylabError {
  const path = first.instancePath.split('/').filter(Boolean).join('.')
  const extra = (first.params.missingProperty ?? first.params.additionalProperty) as string | undefined
  const field = [path, extra].filter((s) => s !== undefined && s !== '').join('.')
  const where = field === '' ? context : field
  const message = first.params.additionalProperty !== undefined
    ? `${where} is not a known ${context === 'querystring' ? 'query parameter' : 'field'}`
    : first.params.missingProperty !== undefined
      ? `${where} is required`
      : field === '' && first.keyword === 'type'
        ? `the request ${context} must be a JSON ${String(first.params.type)}`
        : `${where} ${first.message ?? 'is invalid'}${first.params.allowedValues ? ` (${(first.params.allowedValues as unknown[]).join(', ')})` : ''}`
  return VALIDATION_FAILED(message, { field: where, location: context })
}

export default fp(async (app) => {
  app.setErrorHandler((err, request, reply) => {
    const perr = toPaylabError(err as Error, request.headers['content-type'])
    if (perr.code === INTERNAL.code) request.log.error({ err }, 'unexpected failure')
    const entry = request.journalEntry
    if (entry !== undefined) {
      entry.error_code = perr.code
      if (perr.code === IDEMPOTENCY_CONFLICT.code) entry.idempotency = 'conflict'
    }
    const body = request.routeOptions.config?.payStyle === true ? payFailure(perr, request.id) : errorObject(perr, request.id)
    if (typeof perr.details.retry_after === 'number') reply.header('Retry-After', String(perr.details.retry_after))
    return reply.code(perr.statusCode).type('application/json').send(JSON.stringify(body))
  })
  app.setNotFoundHandler((request, reply) => {
    const err = ROUTE_NOT_FOUND(`no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json`)
    return reply.code(404).type('application/json').send(JSON.stringify(errorObject(err, request.id)))
  })
}, { name: 'errors' })

/** Fastify's router errors (bad percent-encoding, an overlong path segment), in the same JSON shape. */
export function frameworkErrors (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const perr = toPaylabError(err)
  void reply.code(perr.statusCode).header('Paylab-Request-Id', request.id).type('application/json').send(JSON.stringify(errorObject(perr, request.id)))
}

/**
 * Requests Node's HTTP parser rejects before Fastify sees them (a lying Content-Length, a broken
 * request line, headers too large): answered in the same JSON shape, then the socket is closed.
 */
export function clientErrorHandler (err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  // The headers or request timeout (gateway/connections.ts) ran out: the client stalled.
  const perr = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? REQUEST_TIMEOUT(undefined, { reason: err.code })
    : BAD_REQUEST(err.code === 'HPE_HEADER_OVERFLOW' ? 'the request headers are too large' : 'the HTTP request could not be parsed', { reason: err.code ?? 'unknown' })
  const requestId = newId('req', 16)
  const body = JSON.stringify(errorObject(perr, requestId))
  if (socket.writable) {
    const statusText = perr.statusCode === 408 ? 'Request Timeout' : 'Bad Request'
    socket.write(`HTTP/1.1 ${perr.statusCode} ${statusText}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nPaylab-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy()
}
