// Records every request in the engine's journal: who, what, the signature verdict, what the
// sandbox did to it, and how it was answered.
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import type { JournalEntry } from '../engine/journal.js'
import { redactQuery } from '../engine/redact.js'

declare module 'fastify' {
  interface FastifyRequest {
    journalEntry: JournalEntry | undefined
    startedAt: number
  }
}

export const journaled = (url: string): boolean => url.startsWith('/v1/') || url === '/pay' || url.startsWith('/cashier/')

export default fp(async (app) => {
  const { engine } = app
  app.decorateRequest('journalEntry', undefined)
  app.decorateRequest('startedAt', 0)

  app.addHook('onRequest', (request, _reply, done) => {
    request.startedAt = performance.now()
    if (journaled(request.url)) open(request)
    done()
  })

  function open (request: FastifyRequest): void {
    const [path = '', query] = request.url.split('?', 2)
    request.journalEntry = engine.sandbox.journal.open({
      request_id: request.id,
      time: new Date(engine.clock.now()).toISOString(),
      method: request.method,
      path,
      query: query === undefined ? null : redactQuery(query),
      merchant_id: request.identity?.merchant.id ?? (path === '/pay' ? 'seed' : null)
    })
    // A buyer's request on the hosted cashier belongs to the payment's merchant: that merchant's
    // journal filter finds it.
    const id = (request.params as { id?: unknown } | undefined)?.id
    const payment = path.startsWith('/cashier/') && typeof id === 'string' ? engine.findPayment(id) : undefined
    if (payment !== undefined) Object.assign(request.journalEntry, { merchant_id: payment.merchant_id, payment_id: payment.id })
  }

  app.addHook('onResponse', (request, reply, done) => {
    const entry = request.journalEntry
    if (entry !== undefined && !(entry.fault !== null && entry.status === null && entry.latency_ms !== null)) {
      entry.status = reply.statusCode
      entry.latency_ms = Math.round(reply.elapsedTime)
    }
    done()
  })
}, { name: 'journal', dependencies: ['engine', 'protocol'] })
