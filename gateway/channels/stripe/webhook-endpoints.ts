// WebhookEndpoints: where the merchant's webhooks go and the whsec_ secret they are signed with,
// kept in the merchant's Stripe credentials. paylab delivers to one endpoint per merchant: a new
// endpoint replaces the one before (and gets a new secret); deleting it stops the webhooks.
import type { FastifyInstance } from 'fastify'
import { PaylabError } from '../../engine/errors.js'
import type { StripeCaller } from './auth.js'
import { newWebhookSecret, type StripeCredentials } from './credentials.js'
import { fromPaylab, noSuch } from './errors.js'
import { list, metadata, only, str } from './params.js'
import { bodyOf, callerOf } from './reply.js'
import type { Kit } from './payment-intents.js'
import { CHANNEL } from './transformers.js'

const endpoint = (c: StripeCredentials, extra: Record<string, unknown> = {}) => ({
  id: c.webhook_endpoint_id,
  object: 'webhook_endpoint',
  api_version: null,
  application: null,
  created: c.webhook_created,
  description: null,
  enabled_events: ['*'],
  livemode: false,
  metadata: {},
  status: 'enabled',
  url: c.webhook_url,
  ...extra
})

export function webhookEndpointRoutes (app: FastifyInstance, { constraints }: Kit): void {
  const { engine } = app
  const route = { constraints, config: { contract: false as const } }
  type Id = { Params: { id: string } }

  const current = (caller: StripeCaller) => engine.channelCredentials(caller.merchant.id, CHANNEL) as StripeCredentials
  function mine (caller: StripeCaller, id: string): StripeCredentials {
    const c = current(caller)
    if (c.webhook_endpoint_id !== id) throw noSuch('webhook endpoint', id)
    return c
  }

  app.post('/v1/webhook_endpoints', route, async (request) => {
    const caller = callerOf(request)
    const p = bodyOf(request)
    only(p, ['url', 'enabled_events', 'description', 'metadata', 'api_version', 'expand'], { connect: 'Connect' })
    const url = str(p, 'url', true) as string
    const events = list(p, 'enabled_events') ?? ['*']
    metadata(p)
    const secret = newWebhookSecret()
    try {
      await engine.updateMerchant(caller.merchant.id, { channels: { [CHANNEL]: { webhook_url: url, webhook_secret: secret } } })
    } catch (err) {
      if (err instanceof PaylabError) throw fromPaylab(err, { 'channels.stripe.webhook_url': 'url' })
      throw err
    }
    // Every event goes to the endpoint whatever enabled_events says; the answer shows what was asked.
    return endpoint(current(caller), { enabled_events: events, secret, description: str(p, 'description') ?? null })
  })

  app.get('/v1/webhook_endpoints', route, async (request) => {
    const c = current(callerOf(request))
    return { object: 'list', data: c.webhook_endpoint_id === null ? [] : [endpoint(c)], has_more: false, url: '/v1/webhook_endpoints' }
  })

  app.get<Id>('/v1/webhook_endpoints/:id', route, async (request) => endpoint(mine(callerOf(request), request.params.id)))

  app.delete<Id>('/v1/webhook_endpoints/:id', route, async (request) => {
    const caller = callerOf(request)
    const c = mine(caller, request.params.id)
    await engine.updateMerchant(caller.merchant.id, { channels: { [CHANNEL]: { webhook_url: null } } })
    return { id: c.webhook_endpoint_id, object: 'webhook_endpoint', deleted: true }
  })
}
