// Admin controls of the sandbox: rules, the request journal and the clock.
import type { FastifyInstance } from 'fastify'
import { RULE_NOT_FOUND } from '../../engine/errors.js'
import type { JournalQuery } from '../../engine/journal.js'
import type { RuleInput } from '../../engine/rules.js'
import { parseDuration } from '../../engine/duration.js'
import { sendJson } from '../reply.js'

export default async function sandboxRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app

  app.post<{ Body: RuleInput }>('/admin/rules', async (request, reply) => sendJson(reply, await engine.addRule(request.body), 201))

  app.get<{ Querystring: { merchant_id?: string } }>('/admin/rules', async (request, reply) =>
    sendJson(reply, { object: 'list', data: engine.rules(request.query.merchant_id) }))

  app.delete<{ Querystring: { merchant_id: string } }>('/admin/rules', async (request, reply) =>
    sendJson(reply, { deleted: await engine.resetRules(request.query.merchant_id) }))

  app.delete<{ Params: { id: string } }>('/admin/rules/:id', async (request, reply) => {
    if (!await engine.deleteRule(request.params.id)) throw RULE_NOT_FOUND(undefined, { rule_id: request.params.id })
    return sendJson(reply, { deleted: 1 })
  })

  app.get<{ Querystring: JournalQuery }>('/admin/journal', async (request, reply) =>
    sendJson(reply, { object: 'list', data: await engine.journal(request.query) }))

  app.get<{ Querystring: JournalQuery }>('/admin/journal/count', async (request, reply) =>
    sendJson(reply, { count: await engine.journalCount(request.query) }))

  app.delete<{ Querystring: { merchant_id?: string } }>('/admin/journal', async (request, reply) => {
    await engine.clearJournal(request.query.merchant_id)
    return sendJson(reply, { cleared: true })
  })

  app.get('/admin/clock', async (_request, reply) => sendJson(reply, engine.clockState()))

  app.post<{ Body: { ms?: number, duration?: string } }>('/admin/clock/advance', async (request, reply) => {
    const { ms, duration } = request.body
    const { clock } = await engine.advanceClock(ms ?? parseDuration(duration ?? '0s', 'duration'))
    return sendJson(reply, clock)
  })
}
