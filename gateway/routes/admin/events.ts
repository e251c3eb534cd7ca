// The notification delivery log and an operator's levers on it.
import type { FastifyInstance } from 'fastify'
import { EVENT_NOT_FOUND } from '../../engine/errors.js'
import { eventBody } from '../../engine/events.js'
import type { NotificationEvent } from '../../engine/types.js'
import { sendJson } from '../reply.js'

interface EventQuery { merchant_id?: string, type?: string, status?: NotificationEvent['status'], payment_id?: string, limit?: number }

/** The event as the log shows it: the body it sends, parsed, beside its delivery state. */
const view = (event: NotificationEvent) => {
  const { body: _body, data_object: _object, ...rest } = event
  return { ...rest, payload: JSON.parse(eventBody(event)) as unknown }
}

export default async function eventRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app

  app.get<{ Querystring: EventQuery }>('/admin/events', async (request, reply) =>
    sendJson(reply, { object: 'list', data: engine.findEvents(request.query).map(view) }))

  app.get<{ Params: { id: string } }>('/admin/events/:id', async (request, reply) => {
    const event = engine.findEvent(request.params.id)
    if (event === undefined) throw EVENT_NOT_FOUND(undefined, { event_id: request.params.id })
    return sendJson(reply, view(event))
  })

  app.post<{ Params: { id: string } }>('/admin/events/:id/resend', async (request, reply) => {
    const event = await engine.resendEvent(request.params.id)
    if (event === undefined) throw EVENT_NOT_FOUND(undefined, { event_id: request.params.id })
    return sendJson(reply, view(event))
  })

  app.post<{ Body: { merchant_id?: string } | undefined }>('/admin/events/deliver-due', async (request, reply) =>
    sendJson(reply, { attempted: await engine.deliverDue(request.body?.merchant_id) }))
}
