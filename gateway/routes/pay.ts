// POST /pay for the source document's client: its own signature header and answer shape.
import type { FastifyInstance } from 'fastify'
import type { PayRequest } from '../engine/pay.js'
import { sendAnswer } from './reply.js'

export default async function payRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  app.post<{ Body: PayRequest }>('/pay', {
    config: { payStyle: true },
    preValidation: async (request) => {
      const signature = request.headers.signature
      engine.verifyPaySignature(request.rawBody, Array.isArray(signature) ? signature[0] : signature)
    },
    onSend: async (_request, reply, payload) => {
      reply.header('Signature', engine.paySignature(payload === null ? '' : String(payload)))
      return payload
    }
  }, async (request, reply) => sendAnswer(reply, await engine.pay(request.body, request.id)))
}
