// The shop's HTTP face: a JSON API for scripts and scenarios, the notification endpoint, and
// the buyer's pages (web/: products, cart, checkout, return and order).
import type { FastifyInstance, FastifyReply } from 'fastify'
import { isAmbiguous, PaylabApiError } from '../sdk/index.js'
import { reconcile } from './reconcile.js'
import { ShopError, type CheckoutInput, type Shop } from './shop.js'
import webRoutes from './web/routes.js'

declare module 'fastify' {
  interface FastifyRequest { shopRawBody?: Buffer }
}

export default async function shopApp (app: FastifyInstance, { shop }: { shop: Shop }): Promise<void> {
  // Notifications are verified on their exact bytes, so the raw body is kept.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.shopRawBody = body as Buffer
    if ((body as Buffer).length === 0) return done(null, {})
    try { done(null, JSON.parse((body as Buffer).toString('utf8'))) } catch { done(new ShopError('the body is not valid JSON', 400, 'SHOP_MALFORMED_JSON'), undefined) }
  })

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof ShopError) return fail(reply, err.statusCode, err.code, err.message)
    if (err instanceof PaylabApiError && !isAmbiguous(err)) return fail(reply, err.statusCode, err.code, err.message)
    if (isAmbiguous(err)) return fail(reply, 502, 'SHOP_CHANNEL_UNAVAILABLE', `the payment channel did not answer usably: ${(err as Error).message}`)
    const e = err as { statusCode?: number, message: string }
    if (e.statusCode !== undefined && e.statusCode < 500) return fail(reply, e.statusCode, 'SHOP_BAD_REQUEST', e.message)
    app.log.error({ err }, 'shop failure')
    return fail(reply, 500, 'SHOP_INTERNAL', 'the shop failed unexpectedly')
  })

  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/api/products', async () => ({ object: 'list', data: shop.deps.catalogue }))
  app.post<{ Body: CheckoutInput }>('/api/orders', async (request, reply) => reply.code(201).send(await shop.checkout(request.body ?? {})))
  app.get<{ Params: { id: string } }>('/api/orders/:id', async (request) => shop.order(request.params.id))
  app.post<{ Params: { id: string }, Body: { amount?: number } }>('/api/orders/:id/refunds', async (request) => await shop.refund(request.params.id, request.body?.amount))
  app.post<{ Params: { id: string }, Body: { amount?: number } }>('/api/orders/:id/capture', async (request) => await shop.capture(request.params.id, request.body?.amount))
  app.post<{ Params: { id: string } }>('/api/orders/:id/cancel', async (request) => await shop.cancel(request.params.id))
  app.post<{ Params: { id: string } }>('/api/orders/:id/sync', async (request) => await shop.sync(request.params.id, 'manual check'))
  app.post<{ Body: { date?: string } }>('/api/reconcile', async (request) =>
    await reconcile(shop, request.body?.date ?? new Date(shop.deps.now()).toISOString().slice(0, 10)))

  // 2xx only once the update is stored: a failure here makes the gateway retry.
  app.post('/notifications', async (request, reply) => {
    const result = await shop.notification(request.shopRawBody ?? Buffer.alloc(0), request.headers)
    return reply.code(result.status).send({ result: result.message })
  })

  await app.register(webRoutes, { shop })
}

function fail (reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } })
}
