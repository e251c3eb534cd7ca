// OpenAPI v2: GET|POST /gateway.do, one route for every method. Common parameters come in the
// query string, biz_content (and the rest) in a form body, or all in the query (pageExec GET).
// Every answer is HTTP 200 with `{"<method>_response":{…},"sign":"…"}`, errors included.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { sandboxed } from '../../plugins/faults.js'
import { journaled } from '../../plugins/journal.js'
import { about } from '../../routes/reply.js'
import { BODY_LIMIT } from '../../plugins/raw-body.js'
import { Journal } from '../../engine/journal.js'
import { callerOf, formParams, gatewayParams, verifyGatewayRequest, type Caller } from './auth.js'
import { sendV2, signingFault } from './answers.js'
import { Biz } from './biz.js'
import { AlipayError, asAlipayError, CODES } from './errors.js'
import { OPERATIONS } from './operations.js'
import { yuanToFen } from './transformers.js'

/** The methods that create a trade: magic amounts and outcome rules apply to them. */
const CREATES = new Set(['alipay.trade.precreate', 'alipay.trade.create', 'alipay.trade.pay', 'alipay.trade.page.pay', 'alipay.trade.wap.pay'])

interface GatewayCall {
  params: Map<string, string>
  method: string | undefined
  caller?: Caller
  biz?: Biz
}

declare module 'fastify' {
  interface FastifyRequest {
    alipayCall: GatewayCall | undefined
  }
}

const rawQuery = (request: FastifyRequest): string => { const i = request.url.indexOf('?'); return i < 0 ? '' : request.url.slice(i + 1) }
/** Answers go under the method's key, even for a method paylab does not serve (so the SDK finds and verifies them). */
const responseKey = (method: string | undefined): string =>
  method !== undefined && /^[a-z][a-z0-9]*(\.[a-z0-9]+){1,10}$/.test(method) ? `${method.replaceAll('.', '_')}_response` : 'error_response'

export default async function gatewayRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  app.decorateRequest('alipayCall', undefined)

  // Who is asking, from the query string alone: even a refused request is journaled as theirs.
  await app.register(journaled, {
    channel: 'alipay',
    describe: (request) => ({ merchant_id: callerOf(engine, new URLSearchParams(rawQuery(request)).get('app_id') ?? undefined)?.merchant.id ?? null })
  })

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (request, body, done) => {
    request.rawBody = body as Buffer
    done(null, formParams(body as Buffer))
  })

  app.addHook('preValidation', (request, _reply, done) => {
    const params = gatewayParams(rawQuery(request), request.body instanceof Map ? request.body as Map<string, string> : undefined)
    const call: GatewayCall = { params, method: params.get('method') }
    request.alipayCall = call
    const entry = request.journalEntry
    const trace: { stringToSign?: string } = {}
    try {
      call.caller = verifyGatewayRequest(engine, params, trace)
      if (entry !== undefined) entry.signature = { verdict: 'valid', string_to_sign: Journal.stringToSign(trace.stringToSign ?? '') }
    } catch (err) {
      if (entry !== undefined) entry.signature = { verdict: (err as { subCode?: string }).subCode ?? 'invalid', string_to_sign: trace.stringToSign === undefined ? null : Journal.stringToSign(trace.stringToSign) }
      call.caller = callerOf(engine, params.get('app_id'))
      throw err
    }
    if (entry !== undefined) entry.merchant_id = call.caller.merchant.id
    if (!OPERATIONS.has(call.method as string)) throw new AlipayError('isv.invalid-method', `paylab does not serve the method ${JSON.stringify(call.method)}; see docs/channels/alipay.md`)
    call.biz = Biz.fromText(params.get('biz_content'))
    done()
  })

  await app.register(sandboxed, {
    target: (request) => {
      const call = request.alipayCall
      if (call?.caller === undefined || call.biz === undefined) return undefined
      const isCreate = CREATES.has(call.method as string)
      let amount: number | undefined
      let order: string | undefined
      try {
        order = call.biz.optional('out_trade_no', 64)
        if (isCreate) amount = yuanToFen(call.biz.optional('total_amount', 16), 'total_amount')
      } catch {
        // The operation states what is wrong with it.
      }
      return { merchantId: call.caller.merchant.id, merchantOrderId: order, amount, isCreate }
    },
    // v2 signs in the body: the handler and the error handler act the signing faults out.
    resign: () => {}
  })

  app.setErrorHandler((err, request, reply) => {
    const e = asAlipayError(err)
    if (e.subCode === 'isp.unknow-error') request.log.error(err)
    if (request.journalEntry !== undefined) request.journalEntry.error_code = e.subCode
    const call = request.alipayCall
    // A simulated outage is an HTTP failure; every other error is a signed 200, as Alipay answers.
    const status = (err as { code?: string }).code === 'PAYLAB_SIMULATED_FAULT' ? e.statusCode : 200
    return sendV2(reply.code(status), engine.crypto, call?.caller?.creds, responseKey(call?.method), e.toV2(), signingFault(request))
  })

  app.route({
    method: ['GET', 'POST'],
    url: '/gateway.do',
    config: { contract: false },
    handler: async (request, reply) => {
      const call = request.alipayCall as Required<GatewayCall>
      const op = OPERATIONS.get(call.method as string) as NonNullable<ReturnType<typeof OPERATIONS.get>>
      const result = await op({
        engine,
        merchant: call.caller.merchant,
        creds: call.caller.creds,
        biz: call.biz,
        notifyUrl: call.params.get('notify_url') || undefined,
        returnUrl: call.params.get('return_url') || undefined,
        outcome: request.decision?.outcome,
        about: (paymentId) => about(request, paymentId)
      })
      if (result.redirect !== undefined) return reply.code(302).header('location', result.redirect).send()
      const code = result.code ?? '10000'
      return sendV2(reply, engine.crypto, call.caller.creds, responseKey(call.method), { code, msg: CODES[code], ...result.fields }, signingFault(request))
    }
  })
}
