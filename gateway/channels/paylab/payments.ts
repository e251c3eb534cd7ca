import type { FastifyInstance } from 'fastify'
import type { CreatePaymentInput } from '../../engine/payments.js'
import { about, merchantOf, mutation, sendAnswer, sendJson } from '../../routes/reply.js'

interface IdParams { id: string }

export default async function paymentRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app

  app.post<{ Body: CreatePaymentInput }>('/v1/payments', { config: { create: true } }, async (request, reply) =>
    sendAnswer(reply, await engine.createPayment(mutation(request), request.body)))

  app.get<{ Querystring: { limit: number, starting_after?: string } }>('/v1/payments', async (request, reply) =>
    sendJson(reply, engine.listPayments(merchantOf(request), request.query.limit, request.query.starting_after)))

  app.get<{ Params: IdParams }>('/v1/payments/:id', async (request, reply) =>
    sendJson(reply, engine.getPayment(merchantOf(request), about(request, request.params.id))))

  app.get<{ Params: { merchant_order_id: string } }>('/v1/payments/order/:merchant_order_id', async (request, reply) => {
    const payment = engine.getPaymentByOrder(merchantOf(request), request.params.merchant_order_id)
    about(request, payment.id)
    return sendJson(reply, payment)
  })

  app.post<{ Params: IdParams, Body: { amount?: number } | undefined }>('/v1/payments/:id/capture', async (request, reply) =>
    sendAnswer(reply, await engine.capturePayment(mutation(request), about(request, request.params.id), request.body?.amount)))

  app.post<{ Params: IdParams }>('/v1/payments/:id/cancel', async (request, reply) =>
    sendAnswer(reply, await engine.cancelPayment(mutation(request), about(request, request.params.id))))
}
