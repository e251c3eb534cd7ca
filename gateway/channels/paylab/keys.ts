// The gateway's public keys, for card encryption and RSA answer verification (the rotation is admin).
import type { FastifyInstance } from 'fastify'
import { sendJson } from '../../routes/reply.js'

export default async function keyRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  app.get('/v1/keys', async (_request, reply) => sendJson(reply, engine.keys()))
}
