// The gateway as a Fastify plugin: services first, then the surfaces that use them, each an
// encapsulated scope with its own hooks: every channel profile, the hosted cashier, the admin API,
// the dashboard.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Engine } from './engine/engine.js'
import enginePlugin from './plugins/engine.js'
import rawBody from './plugins/raw-body.js'
import errors from './plugins/errors.js'
import openapi from './plugins/openapi.js'
import journal from './plugins/journal.js'
import faults from './plugins/faults.js'
import type { TransportFaults } from './plugins/transport-faults.js'
import { channelConstraint } from './channels/constraint.js'
import type { ChannelProfile } from './channels/profile.js'
import healthRoutes from './routes/health.js'
import cashierRoutes from './routes/cashier.js'
import adminRoutes from './routes/admin/index.js'
import dashboard from './dashboard/index.js'

export interface AppOptions {
  engine: Engine
  /** The channel profiles to serve (gateway/channels/index.ts); their engine parts are registered by the caller. */
  channels: readonly ChannelProfile[]
  /** How connection faults are acted out: on the socket (default) or marked for an in-process adapter. */
  transportFaults?: TransportFaults
  /** Whether /dashboard is served (the default); see GatewayOptions.dashboard. */
  dashboard?: boolean
}

async function app (fastify: FastifyInstance, { engine, channels, transportFaults, dashboard: withDashboard = true }: AppOptions): Promise<void> {
  fastify.addConstraintStrategy(channelConstraint(channels))
  await fastify.register(enginePlugin, { engine })
  await fastify.register(errors)
  await fastify.register(rawBody)
  await fastify.register(openapi)
  await fastify.register(journal)
  await fastify.register(faults, transportFaults === undefined ? {} : { transport: transportFaults })
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('Paylab-Request-Id', request.id)
    done()
  })

  for (const profile of channels) await fastify.register(profile.plugin)
  await fastify.register(cashierRoutes)
  await fastify.register(adminRoutes)
  if (withDashboard) await fastify.register(dashboard)
  else fastify.decorate('dashboardRoutes', [])
  await fastify.register(healthRoutes)
}

// Not encapsulated, so that whoever builds the app (server, tests) sees its decorations.
export default fp(app, { name: 'paylab-gateway' })
