// Shares one payment engine with every route.
import fp from 'fastify-plugin'
import type { Engine } from '../engine/engine.js'

declare module 'fastify' {
  interface FastifyInstance {
    engine: Engine
  }
}

export default fp<{ engine: Engine }>(async (app, { engine }) => {
  app.decorate('engine', engine)
}, { name: 'engine' })
