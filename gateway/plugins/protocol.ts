// The signed protocol of /v1/*: who is asking (before anything, so that even a rejection is
// signed for a known merchant), whether the request is signed right (once the raw body is in),
// and the signature of every answer.
import fp from 'fastify-plugin'
import type { Identity } from '../engine/auth.js'

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity | undefined
  }
}

export const isSignedPath = (url: string): boolean => url.startsWith('/v1/')

export default fp(async (app) => {
  const { engine } = app
  app.decorateRequest('identity', undefined)

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Paylab-Request-Id', request.id)
    if (isSignedPath(request.url)) request.identity = engine.identify(request.headers)
  })

  app.addHook('preValidation', async (request) => {
    if (!isSignedPath(request.url)) return
    request.identity = engine.authenticate({
      method: request.method,
      pathWithQuery: request.url,
      headers: request.headers,
      body: request.rawBody
    })
  })

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.identity === undefined || !isSignedPath(request.url)) return payload
    const body = payload === null || payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : Buffer.from(String(payload))
    reply.headers(engine.signAnswer(request.identity, body))
    return payload
  })
}, { name: 'protocol', dependencies: ['engine', 'raw-body'] })
