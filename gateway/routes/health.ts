import type { FastifyInstance } from 'fastify'
import { sendJson } from './reply.js'

export default async function healthRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  app.get('/healthz', async (_request, reply) => sendJson(reply, { status: 'ok', time: new Date(engine.clock.now()).toISOString() }))
}
