// Events (/v1/events): what the merchant's webhooks carry, kept and listed newest first, as
// Stripe keeps them for polling and for replaying a missed webhook by hand.
import type { FastifyInstance } from 'fastify'
import type { NotificationEvent } from '../../engine/types.js'
import { eventObject } from './codec.js'
import { noSuch } from './errors.js'
import { parseQuery } from './form.js'
import { paging, str } from './params.js'
import { callerOf } from './reply.js'
import type { Kit } from './payment-intents.js'
import { CHANNEL, EVENT_TYPES } from './transformers.js'

export function eventRoutes (app: FastifyInstance, { constraints }: Kit): void {
  const { engine } = app
  const route = { constraints, config: { contract: false as const } }
  const view = (e: NotificationEvent) => eventObject(engine, e, e.data_object, engine.crypto)

  app.get<{ Params: { id: string } }>('/v1/events/:id', route, async (request) => {
    const caller = callerOf(request)
    const event = engine.channelEvents(caller.merchant.id, CHANNEL).find((e) => e.id === request.params.id)
    if (event === undefined) throw noSuch('event', request.params.id)
    return view(event)
  })

  app.get('/v1/events', route, async (request) => {
    const caller = callerOf(request)
    const q = parseQuery(request.url)
    const { limit, startingAfter } = paging(q)
    const type = str(q, 'type')
    let all = engine.channelEvents(caller.merchant.id, CHANNEL)
    if (type !== undefined) {
      const pattern = new RegExp(`^${type.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)
      all = all.filter((e) => pattern.test(EVENT_TYPES[e.type]))
    }
    if (startingAfter !== undefined) {
      const at = all.findIndex((e) => e.id === startingAfter)
      if (at < 0) throw noSuch('event', startingAfter, 'starting_after')
      all = all.slice(at + 1)
    }
    return { object: 'list', data: all.slice(0, limit).map(view), has_more: all.length > limit, url: '/v1/events' }
  })
}
