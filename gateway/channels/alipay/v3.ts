// OpenAPI v3 (the SDK's curl()): JSON in, JSON out, `Authorization: ALIPAY-SHA256withRSA …`
// on the request and alipay-timestamp/alipay-nonce/alipay-signature on every answer (the SDK
// refuses an answer without them). Errors are 4xx/5xx with `{code, message}`.
import type { FastifyInstance } from 'fastify'
import { Journal } from '../../engine/journal.js'
import { sandboxed } from '../../plugins/faults.js'
import { journaled } from '../../plugins/journal.js'
import { about } from '../../routes/reply.js'
import { callerOf, verifyV3Request, type Caller } from './auth.js'
import { signV3, signV3Soon, toBuffer } from './answers.js'
import { Biz } from './biz.js'
import { asAlipayError } from './errors.js'
import { OPERATIONS } from './operations.js'
import { yuanToFen } from './transformers.js'

/** v3 paths and the operations they share with v2. */
const PATHS: ReadonlyArray<[string, string]> = [
  ['/v3/alipay/trade/query', 'alipay.trade.query'],
  ['/v3/alipay/trade/refund', 'alipay.trade.refund'],
  ['/v3/alipay/trade/close', 'alipay.trade.close'],
  ['/v3/alipay/trade/cancel', 'alipay.trade.cancel'],
  ['/v3/alipay/trade/precreate', 'alipay.trade.precreate'],
  ['/v3/alipay/trade/fastpay/refund/query', 'alipay.trade.fastpay.refund.query']
]

declare module 'fastify' {
  interface FastifyRequest {
    alipayV3: Caller | undefined
  }
  interface FastifyContextConfig {
    /** The v2 method name of a v3 route's operation. */
    alipayMethod?: string
  }
}

const appIdOf = (authorization: string | undefined): string | undefined => /app_id=(\d+)/.exec(authorization ?? '')?.[1]

export default async function v3Routes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  app.decorateRequest('alipayV3', undefined)

  app.addHook('onRequest', (request, _reply, done) => {
    // Known from the header alone, so that even a refusal is signed for a known app.
    request.alipayV3 = callerOf(engine, appIdOf(request.headers.authorization))
    done()
  })
  await app.register(journaled, { channel: 'alipay', describe: (request) => ({ merchant_id: request.alipayV3?.merchant.id ?? null }) })

  app.addHook('preValidation', (request, _reply, done) => {
    const entry = request.journalEntry
    const trace: { stringToSign?: string } = {}
    const traced = (): string | null => trace.stringToSign === undefined ? null : Journal.stringToSign(trace.stringToSign)
    try {
      request.alipayV3 = verifyV3Request(engine, { method: request.method, url: request.url, headers: request.headers, body: request.rawBody }, trace)
      if (entry !== undefined) { entry.signature = { verdict: 'valid', string_to_sign: traced() }; entry.merchant_id = request.alipayV3.merchant.id }
    } catch (err) {
      if (entry !== undefined) entry.signature = { verdict: (err as { subCode?: string }).subCode ?? 'invalid', string_to_sign: traced() }
      throw err
    }
    done()
  })

  // As paylab's /v1 answers (channels/paylab/protocol.ts): the RSA signature is made on the
  // gateway's worker pool when the crypto provider has one, and the hook waits for it.
  app.addHook('onSend', (request, reply, payload, done) => {
    const caller = request.alipayV3
    const signing = caller === undefined ? undefined : signV3Soon(reply, engine.crypto, caller.creds, toBuffer(payload), engine.signingNow())
    if (signing === undefined) done(null, payload)
    else signing.then(() => done(null, payload), done)
  })

  await app.register(sandboxed, {
    target: (request) => {
      const caller = request.alipayV3
      if (caller === undefined || request.journalEntry?.signature?.verdict !== 'valid') return undefined
      const body = new Biz(request.body ?? {})
      const isCreate = request.routeOptions.config.alipayMethod === 'alipay.trade.precreate'
      let amount: number | undefined
      let order: string | undefined
      try {
        order = body.optional('out_trade_no', 64)
        if (isCreate) amount = yuanToFen(body.optional('total_amount', 16), 'total_amount')
      } catch {
        // The operation states what is wrong with it.
      }
      return { merchantId: caller.merchant.id, merchantOrderId: order, amount, isCreate }
    },
    resign: (request, reply, body, fault) => {
      const caller = request.alipayV3
      if (caller !== undefined) signV3(reply, engine.crypto, caller.creds, body, engine.signingNow(), fault)
    }
  })

  app.setErrorHandler((err, request, reply) => {
    const e = asAlipayError(err)
    if (e.subCode === 'isp.unknow-error') request.log.error(err)
    if (request.journalEntry !== undefined) request.journalEntry.error_code = e.subCode
    return reply.code(e.statusCode).type('application/json; charset=utf-8').send(JSON.stringify(e.toV3()))
  })

  for (const [path, method] of PATHS) {
    const op = OPERATIONS.get(method) as NonNullable<ReturnType<typeof OPERATIONS.get>>
    app.post(path, { config: { contract: false, alipayMethod: method } }, async (request, reply) => {
      const caller = request.alipayV3 as Caller
      const biz = new Biz(request.body ?? {})
      const result = await op({
        engine,
        merchant: caller.merchant,
        creds: caller.creds,
        biz,
        notifyUrl: biz.optional('notify_url', 2048),
        outcome: request.decision?.outcome,
        about: (paymentId) => about(request, paymentId)
      })
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(result.fields))
    })
  }
}
