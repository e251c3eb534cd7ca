// Records requests in the engine's journal: who, what, through which channel profile, the
// signature verdict, what the sandbox did to it, and how it was answered. The root plugin only
// decorates; each surface that is journaled (a channel profile's scope, the cashier) registers
// `journaled` inside its own encapsulated scope, so no hook decides by the URL.
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { journalTime, type JournalEntry } from '../engine/journal.js'
import { redactQuery } from '../engine/redact.js'

declare module 'fastify' {
  interface FastifyRequest {
    journalEntry: JournalEntry | undefined
    startedAt: number
  }
}

export interface JournaledOptions {
  /** The channel profile of the scope; null for a surface shared by all (the cashier). */
  channel: string | null
  /** What is known of the request when it arrives (the merchant a profile identified, a cashier's payment). */
  describe?: (request: FastifyRequest) => Partial<Pick<JournalEntry, 'merchant_id' | 'payment_id' | 'channel'>>
}

export default fp(async (app) => {
  app.decorateRequest('journalEntry', undefined)
  app.decorateRequest('startedAt', 0)
}, { name: 'journal' })

/** Journals every request of the scope it is registered in; register it after the scope's identifying hook. */
export const journaled = fp<JournaledOptions>(async (app, { channel, describe }) => {
  const { engine } = app

  app.addHook('onRequest', (request, reply, done) => {
    request.startedAt = performance.now()
    const url = request.url
    const q = url.indexOf('?')
    const entry = engine.openJournalEntry({
      request_id: request.id,
      time: journalTime(engine.clock.now()),
      channel,
      method: request.method,
      path: q === -1 ? url : url.slice(0, q),
      query: q === -1 ? null : redactQuery(url.slice(q + 1)),
      merchant_id: null
    })
    if (describe !== undefined) Object.assign(entry, describe(request))
    request.journalEntry = entry
    // A connection a fault ends without an answer never reaches onResponse: its entry is done
    // when the connection closes (a held one: when the hold ends).
    if (engine.sharedJournal) reply.raw.once('close', () => { if (!reply.raw.writableFinished) engine.journalDone(entry) })
    done()
  })

  app.addHook('onResponse', (request, reply, done) => {
    const entry = request.journalEntry
    if (entry !== undefined && !(entry.fault !== null && entry.status === null && entry.latency_ms !== null)) {
      entry.status = reply.statusCode
      entry.latency_ms = Math.round(reply.elapsedTime)
    }
    if (entry !== undefined) engine.journalDone(entry)
    done()
  })
}, { dependencies: ['engine', 'journal'] })
