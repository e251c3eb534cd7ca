// The buyer's pages: products, cart, checkout, the way back from the channel, and the order.
// Plain forms and redirects; the only script polls the order's live view.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ShopError, type Shop } from '../shop.js'
import { cartCookie, cartCount, cartLines, changeCart, readCart, type Cart } from './cart.js'
import { liveView, orderPage } from './order-page.js'
import { cartPage, checkoutPage, METHODS, productsPage } from './shopping-pages.js'

type Form = Record<string, string | undefined>

export default async function webRoutes (app: FastifyInstance, { shop }: { shop: Shop }): Promise<void> {
  const { catalogue } = shop.deps
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })
  const cartOf = (request: FastifyRequest): Cart => readCart(request.headers.cookie, catalogue)
  const html = (reply: FastifyReply, page: string): FastifyReply => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page)
  const see = (reply: FastifyReply, location: string, cart?: Cart): FastifyReply => {
    if (cart !== undefined) reply.header('set-cookie', cartCookie(cart))
    return reply.code(303).header('location', location).send()
  }

  app.get('/', async (request, reply) => html(reply, productsPage(catalogue, cartCount(cartOf(request)))))

  app.get('/cart', async (request, reply) => {
    const cart = cartOf(request)
    return html(reply, cartPage(cartLines(cart, catalogue), cartCount(cart)))
  })

  app.post<{ Body: Form }>('/cart', async (request, reply) => {
    const { product_id: id = '', op, quantity } = request.body ?? {}
    if (!catalogue.some((p) => p.id === id)) throw new ShopError(`no product ${id}`, 400, 'SHOP_BAD_ORDER')
    const cart = changeCart(cartOf(request), id, op === 'set' ? 'set' : 'add', quantity === undefined ? 1 : Number(quantity))
    return see(reply, '/cart', cart)
  })

  app.get('/checkout', async (request, reply) => {
    const cart = cartOf(request)
    if (cart.size === 0) return see(reply, '/cart')
    return html(reply, checkoutPage(cartLines(cart, catalogue), cartCount(cart)))
  })

  app.post<{ Body: Form }>('/checkout', async (request, reply) => {
    const cart = cartOf(request)
    if (cart.size === 0) return see(reply, '/cart')
    const chosen = request.body?.method ?? ''
    if (!METHODS.some((m) => m.value === chosen)) {
      return html(reply.code(400), checkoutPage(cartLines(cart, catalogue), cartCount(cart), 'card', 'Choose how you would like to pay.'))
    }
    const [type, wallet] = chosen.split(':') as ['card' | 'wallet' | 'bank_transfer', string | undefined]
    const order = await shop.checkout({
      items: [...cart].map(([id, quantity]) => ({ product_id: id, quantity })),
      method: type,
      ...(type === 'card' ? { card: { entry: 'hosted' as const } } : {}),
      ...(wallet === undefined ? {} : { wallet })
    })
    // The cart became an order: empty it whatever the payment does (the order page offers a retry).
    return see(reply, order.next_action_url ?? `/orders/${order.id}`, new Map())
  })

  // The buyer comes back from the cashier: the redirect proves nothing, so ask the gateway.
  app.get<{ Params: { id: string } }>('/orders/:id/return', async (request, reply) => {
    await shop.sync(request.params.id, 'buyer returned')
    return see(reply, `/orders/${request.params.id}`)
  })

  app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) =>
    html(reply, orderPage(shop.order(request.params.id), cartCount(cartOf(request)))))

  app.get<{ Params: { id: string } }>('/orders/:id/live', async (request, reply) =>
    reply.header('cache-control', 'no-store').send(liveView(shop.order(request.params.id))))

  app.post<{ Params: { id: string } }>('/orders/:id/again', async (request, reply) => {
    const order = shop.order(request.params.id)
    let cart = cartOf(request)
    for (const item of order.items) cart = changeCart(cart, item.product_id, 'set', item.quantity)
    return see(reply, '/checkout', cart)
  })
}
