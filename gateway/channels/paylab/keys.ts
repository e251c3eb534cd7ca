import type { FastifyInstance } from 'fastify'
import { sendJson } from './reply.js'

export default async function keyRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  app.get('/v1/keys', async (_request, reply) => sendJson(reply, engine.keys()))
  app.post('/admin/keys/rotate', async (_request, reply) => sendJson(reply, await engine.rotateKey()))
}
