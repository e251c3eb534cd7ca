// The gateway as a Fastify plugin: services first, then the routes that use them.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Engine } from './engine/engine.js'
import enginePlugin from './plugins/engine.js'
import rawBody from './plugins/raw-body.js'
import errors from './plugins/errors.js'
import openapi from './plugins/openapi.js'
import protocol from './plugins/protocol.js'
import adminAuth from './plugins/admin-auth.js'
import journal from './plugins/journal.js'
import faults from './plugins/faults.js'
import type { TransportFaults } from './plugins/transport-faults.js'
import healthRoutes from './routes/health.js'
import keyRoutes from './routes/keys.js'
import paymentRoutes from './routes/payments.js'
import refundRoutes from './routes/refunds.js'
import merchantRoutes from './routes/admin/merchants.js'
import payRoutes from './routes/pay.js'
import sandboxRoutes from './routes/admin/sandbox.js'
import cashierRoutes from './routes/cashier.js'
import eventRoutes from './routes/admin/events.js'
import statementRoutes from './routes/statements.js'

export interface AppOptions {
  engine: Engine
  /** How connection faults are acted out: on the socket (default) or marked for an in-process adapter. */
  transportFaults?: TransportFaults
}

async function app (fastify: FastifyInstance, { engine, transportFaults }: AppOptions): Promise<void> {
  await fastify.register(enginePlugin, { engine })
  await fastify.register(errors)
  await fastify.register(rawBody)
  await fastify.register(openapi)
  await fastify.register(protocol)
  await fastify.register(journal)
  await fastify.register(faults, transportFaults === undefined ? {} : { transport: transportFaults })
  await fastify.register(adminAuth)

  await fastify.register(healthRoutes)
  await fastify.register(keyRoutes)
  await fastify.register(paymentRoutes)
  await fastify.register(refundRoutes)
  await fastify.register(merchantRoutes)
  await fastify.register(payRoutes)
  await fastify.register(sandboxRoutes)
  await fastify.register(cashierRoutes)
  await fastify.register(eventRoutes)
  await fastify.register(statementRoutes)
}

// Not encapsulated, so that whoever builds the app (server, tests) sees its decorations.
export default fp(app, { name: 'paylab-gateway' })
