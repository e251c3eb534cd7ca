// Keeps the exact request bytes: signatures are computed over them, never over re-serialized JSON.
import { isUtf8 } from 'node:buffer'
import fp from 'fastify-plugin'
import { MALFORMED_JSON } from '../engine/errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    rawBody: Buffer
  }
}

export const BODY_LIMIT = 1024 * 1024
const EMPTY = Buffer.alloc(0)

export default fp(async (app) => {
  app.decorateRequest('rawBody', null as unknown as Buffer)
  app.addHook('onRequest', (request, _reply, done) => { request.rawBody = EMPTY; done() })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (request, body, done) => {
    const raw = body as Buffer
    request.rawBody = raw
    if (raw.length === 0) return done(null, undefined)
    // JSON is UTF-8 (RFC 8259 §8.1); decoding would silently turn bad bytes into U+FFFD, so a
    // field could differ from the bytes its signature covers.
    if (!isUtf8(raw)) return done(MALFORMED_JSON('the request body is not valid UTF-8; send JSON encoded as UTF-8', { field: 'body' }), undefined)
    try {
      done(null, JSON.parse(raw.toString('utf8')))
    } catch (err) {
      done(MALFORMED_JSON(`the request body is not valid JSON: ${(err as Error).message}`, { field: 'body' }), undefined)
    }
  })
}, { name: 'raw-body' })
