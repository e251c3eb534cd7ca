import type { FastifyInstance } from 'fastify'
import type { MerchantInput } from '../../engine/merchants.js'
import { sendJson } from '../reply.js'

interface IdParams { id: string }

export default async function merchantRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app

  app.get('/admin/merchants', async (_request, reply) => sendJson(reply, engine.listMerchants()))

  app.post<{ Body: MerchantInput }>('/admin/merchants', async (request, reply) =>
    sendJson(reply, await engine.createMerchant(request.body), 201))

  app.get<{ Params: IdParams }>('/admin/merchants/:id', async (request, reply) =>
    sendJson(reply, engine.getMerchantView(request.params.id)))

  app.patch<{ Params: IdParams, Body: Omit<MerchantInput, 'id' | 'hmac_secret'> }>('/admin/merchants/:id', async (request, reply) =>
    sendJson(reply, await engine.updateMerchant(request.params.id, request.body)))

  app.post<{ Params: IdParams }>('/admin/merchants/:id/rotate-secret', async (request, reply) =>
    sendJson(reply, await engine.rotateMerchantSecret(request.params.id)))
}
