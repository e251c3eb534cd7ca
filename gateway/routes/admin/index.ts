// The admin surface: one encapsulated scope whose every route needs the admin token.
import type { FastifyInstance } from 'fastify'
import adminAuth from '../../plugins/admin-auth.js'
import { sendJson } from '../reply.js'
import eventRoutes from './events.js'
import merchantRoutes from './merchants.js'
import sandboxRoutes from './sandbox.js'

export default async function adminRoutes (app: FastifyInstance): Promise<void> {
  await app.register(adminAuth)
  await app.register(merchantRoutes)
  await app.register(sandboxRoutes)
  await app.register(eventRoutes)
  app.post('/admin/keys/rotate', async (_request, reply) => sendJson(reply, await app.engine.rotateKey()))
}
