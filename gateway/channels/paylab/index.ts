// paylab's own protocol as a channel profile: the signed /v1 API (docs/protocol.md) and the
// source document's /pay, each an encapsulated scope with its own hooks.
import type { FastifyInstance } from 'fastify'
import { sandboxed } from '../../plugins/faults.js'
import { journaled } from '../../plugins/journal.js'
import type { ChannelProfile } from '../profile.js'
import { paylabCodec } from './codec.js'
import keyRoutes from './keys.js'
import payRoutes from './pay.js'
import paymentRoutes from './payments.js'
import protocol from './protocol.js'
import refundRoutes from './refunds.js'
import statementRoutes from './statements.js'

async function v1 (app: FastifyInstance): Promise<void> {
  const { engine } = app
  await app.register(protocol)
  await app.register(journaled, { channel: 'paylab', describe: (request) => ({ merchant_id: request.identity?.merchant.id ?? null }) })
  await app.register(sandboxed, {
    target: (request) => {
      const merchant = request.identity?.merchant
      if (merchant === undefined) return undefined
      const body = (request.body ?? {}) as Record<string, unknown>
      return {
        merchantId: merchant.id,
        merchantOrderId: typeof body.merchant_order_id === 'string' ? body.merchant_order_id : undefined,
        amount: typeof body.amount === 'number' ? body.amount : undefined
      }
    },
    resign: (request, reply, body, fault) => {
      if (request.identity !== undefined) reply.headers(engine.signAnswer(request.identity, body, fault))
    }
  })
  await app.register(keyRoutes)
  await app.register(paymentRoutes)
  await app.register(refundRoutes)
  await app.register(statementRoutes)
}

async function paylab (app: FastifyInstance): Promise<void> {
  await app.register(v1)
  await app.register(payRoutes)
}

export const paylabProfile: ChannelProfile = {
  name: 'paylab',
  plugin: paylab,
  engineParts: (engine) => ({ codec: paylabCodec(engine) })
}
