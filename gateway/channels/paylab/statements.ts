import type { FastifyInstance } from 'fastify'
import { merchantOf } from '../../routes/reply.js'

export default async function statementRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  // Signed like every /v1 answer: the signature covers the CSV bytes.
  app.get<{ Querystring: { date: string } }>('/v1/statements', async (request, reply) =>
    reply.type('text/csv; charset=utf-8').send(engine.statement(merchantOf(request), request.query.date)))
}
