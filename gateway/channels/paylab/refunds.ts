import type { FastifyInstance } from 'fastify'
import type { CreateRefundInput } from '../../engine/refunds.js'
import { about, merchantOf, mutation, sendAnswer, sendJson } from '../../routes/reply.js'

interface IdParams { id: string }

export default async function refundRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app

  app.post<{ Params: IdParams, Body: CreateRefundInput }>('/v1/payments/:id/refunds', async (request, reply) =>
    sendAnswer(reply, await engine.createRefund(mutation(request), about(request, request.params.id), request.body)))

  app.get<{ Params: IdParams }>('/v1/payments/:id/refunds', async (request, reply) =>
    sendJson(reply, engine.listRefunds(merchantOf(request), about(request, request.params.id))))

  app.get<{ Params: IdParams }>('/v1/refunds/:id', async (request, reply) => {
    const refund = engine.getRefund(merchantOf(request), request.params.id)
    about(request, refund.payment_id)
    return sendJson(reply, refund)
  })
}
