// The Alipay profile's surfaces, each an encapsulated scope with its own hooks: OpenAPI v2
// (/gateway.do), OpenAPI v3 (/v3/alipay/…), the buyer's pages and the bill links.
import type { FastifyInstance } from 'fastify'
import billRoutes from './bills.js'
import buyerRoutes from './buyer.js'
import gatewayRoutes from './gateway.js'
import v3Routes from './v3.js'

export default async function alipayPlugin (app: FastifyInstance): Promise<void> {
  await app.register(gatewayRoutes)
  await app.register(v3Routes)
  await app.register(buyerRoutes)
  await app.register(billRoutes)
}
