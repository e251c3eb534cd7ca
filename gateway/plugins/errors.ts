// Every failure leaves as a JSON error with a code from the registry: Fastify's own errors and
// schema validation are translated here, and anything unexpected is a logged PAYLAB_INTERNAL.
import fp from 'fastify-plugin'
import type { FastifyError } from 'fastify'
import { errorObject } from '../engine/answers.js'
import {
  BAD_REQUEST, BODY_TOO_LARGE, INTERNAL, MALFORMED_JSON, PaylabError, ROUTE_NOT_FOUND, UNSUPPORTED_MEDIA_TYPE, VALIDATION_FAILED
} from '../engine/errors.js'
import { payFailure } from '../engine/pay.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Errors of this route are answered in the source document's `{status: "failed"}` shape. */
    payStyle?: boolean
  }
}

interface AjvError { instancePath: string, message?: string, params: Record<string, unknown> }

export function toPaylabError (err: FastifyError | PaylabError | Error): PaylabError {
  if (err instanceof PaylabError) return err
  const e = err as FastifyError & { validation?: AjvError[], validationContext?: string }
  if (Array.isArray(e.validation) && e.validation.length > 0) return validationError(e.validation[0] as AjvError, e.validationContext ?? 'body')
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return BODY_TOO_LARGE()
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return UNSUPPORTED_MEDIA_TYPE(`content type ${JSON.stringify(e.message.replace(/^Unsupported Media Type:?\s*/, ''))} is not accepted; send application/json`)
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return MALFORMED_JSON('the body is empty; send a JSON object')
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
    ? `${where} is not a known field`
    : `${where} ${first.message ?? 'is invalid'}${first.params.allowedValues ? ` (${(first.params.allowedValues as unknown[]).join(', ')})` : ''}`
  return VALIDATION_FAILED(message, { field: where, location: context })
}

export default fp(async (app) => {
  app.setErrorHandler((err, request, reply) => {
    const perr = toPaylabError(err as Error)
    if (perr.statusCode >= 500) request.log.error({ err }, 'unexpected failure')
    const body = request.routeOptions.config?.payStyle === true ? payFailure(perr, request.id) : errorObject(perr, request.id)
    return reply.code(perr.statusCode).type('application/json').send(JSON.stringify(body))
  })
  app.setNotFoundHandler((request, reply) => {
    const err = ROUTE_NOT_FOUND(`no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json`)
    return reply.code(404).type('application/json').send(JSON.stringify(errorObject(err, request.id)))
  })
}, { name: 'errors' })
