// POST /pay for the source document's client: its own signature header and answer shape.
import type { FastifyInstance } from 'fastify'
import type { PayRequest } from '../engine/pay.js'
import { sendAnswer } from './reply.js'

export default async function payRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  // The Signature header is checked and the answer signed by the protocol plugin.
  app.post<{ Body: PayRequest }>('/pay', { config: { payStyle: true } }, async (request, reply) =>
    sendAnswer(reply, await engine.pay(request.body, request.id, request.decision?.outcome)))
}
