// POST /pay for the source document's client: its own signature header (hex HMAC of the body
// with the seed merchant's secret), answer shape and error shape, in a scope of its own.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SigningFault } from '../../engine/auth.js'
import { majorToMinor } from '../../engine/money.js'
import { SEED_MERCHANT_ID, type PayRequest } from '../../engine/pay.js'
import { sandboxed } from '../../plugins/faults.js'
import { journaled } from '../../plugins/journal.js'
import { sendAnswer } from '../../routes/reply.js'

export default async function payRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  await app.register(journaled, { channel: 'paylab', describe: () => ({ merchant_id: SEED_MERCHANT_ID }) })

  app.addHook('preValidation', (request, _reply, done) => {
    const entry = request.journalEntry
    const signature = request.headers.signature
    try {
      engine.verifyPaySignature(request.rawBody, Array.isArray(signature) ? signature[0] : signature)
      if (entry !== undefined) entry.signature = { verdict: 'valid', string_to_sign: null }
    } catch (err) {
      if (entry !== undefined) entry.signature = { verdict: (err as { code?: string }).code ?? 'invalid', string_to_sign: null }
      throw err
    }
    done()
  })

  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('Signature', engine.paySignature(toBuffer(payload)))
    done(null, payload)
  })

  await app.register(sandboxed, {
    target: (request) => {
      const body = (request.body ?? {}) as Record<string, unknown>
      return { merchantId: SEED_MERCHANT_ID, merchantOrderId: typeof body.order_id === 'string' ? body.order_id : undefined, amount: amountOf(body) }
    },
    // The source document's /pay has only a signature to get wrong.
    resign: (_request: FastifyRequest, reply: FastifyReply, body: Buffer, fault?: SigningFault) => {
      const signature = engine.paySignature(body)
      reply.header('Signature', fault === undefined ? signature : `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`)
    }
  })

  app.post<{ Body: PayRequest }>('/pay', { config: { payStyle: true, create: true } }, async (request, reply) =>
    sendAnswer(reply, await engine.pay(request.body, request.rawBody, request.id, request.decision?.outcome)))
}

function amountOf (body: Record<string, unknown>): number | undefined {
  try {
    return majorToMinor(String(body.amount), String(body.currency))
  } catch {
    return undefined
  }
}

const toBuffer = (payload: unknown): Buffer =>
  payload === null || payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : Buffer.from(payload as string)
