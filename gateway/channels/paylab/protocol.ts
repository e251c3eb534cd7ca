// The signed protocol of paylab's /v1 API: who is asking (before anything, so that even a
// rejection is signed for a known merchant), whether the request is signed right (once the raw
// body is in), and the signature of every answer. Registered inside the /v1 scope: it serves
// every route there and nothing else.
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import type { Identity } from '../../engine/auth.js'
import { Journal } from '../../engine/journal.js'

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity | undefined
  }
}

const EMPTY = Buffer.alloc(0)

export default fp(async (app) => {
  const { engine } = app
  app.decorateRequest('identity', undefined)

  // Hooks here and in the journal, raw-body, admin-auth and faults plugins take Fastify's callback
  // rather than being async: none waits for anything (bar a fault), and an async hook costs every
  // request a promise and a turn of the microtask queue.
  // (Paylab-Request-Id is set on every answer by the root scope's hook, app.ts.)
  app.addHook('onRequest', (request, _reply, done) => {
    request.identity = engine.identify(request.headers)
    done()
  })

  app.addHook('preValidation', (request, _reply, done) => {
    check(request)
    done()
  })

  function check (request: FastifyRequest): void {
    const entry = request.journalEntry
    const trace: { signed?: Buffer | string } = {}
    try {
      request.identity = engine.authenticate({
        method: request.method,
        pathWithQuery: request.url,
        headers: request.headers,
        body: request.rawBody
      }, trace)
      if (entry !== undefined) entry.signature = Journal.signature('valid', trace.signed)
    } catch (err) {
      if (entry !== undefined) entry.signature = Journal.signature((err as { code?: string }).code ?? 'invalid', trace.signed)
      throw err
    }
    if (entry !== undefined) entry.merchant_id = request.identity.merchant.id
  }

  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.identity === undefined) { done(null, payload); return }
    // Text is signed and sent as text: never copied into a Buffer first (Node writes it with the
    // header as one chunk), and its UTF-8 bytes are the ones the signature covers.
    const none = payload === null || payload === undefined
    const body = none ? EMPTY : typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : Buffer.from(payload as string)
    const out = none ? payload : body
    const signed = engine.signAnswerAsync(request.identity, body)
    if (!(signed instanceof Promise)) { reply.headers(signed); done(null, out); return }
    signed.then((headers) => { reply.headers(headers); done(null, out) }, done)
  })
}, { dependencies: ['engine', 'raw-body'] })
