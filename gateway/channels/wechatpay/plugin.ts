// The WeChat Pay v3 API as an encapsulated scope: who is asking (the mchid of the Authorization
// header, before anything, so that even a rejection is signed), the request signature, the
// Wechatpay-* signature of every answer, the sandbox, WeChat's error format, then the routes.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Journal } from '../../engine/journal.js'
import type { Merchant } from '../../engine/types.js'
import { sandboxed } from '../../plugins/faults.js'
import { journaled } from '../../plugins/journal.js'
import type { WechatpayCredentials } from './credentials.js'
import { signError, toWechatpayError, WechatpayError } from './errors.js'
import { buyerRoutes, wechatpayRoutes } from './routes.js'
import { parseAuthorization, platformHeaders, platformHeadersSoon, requestMessage, rsaVerify } from './signing.js'
import { CHANNEL } from './transformers.js'

export interface WechatpayCaller { merchant: Merchant, creds: WechatpayCredentials }

declare module 'fastify' {
  interface FastifyRequest {
    /** The merchant named by the Authorization header (checked by the preValidation hook). */
    wechatpay: WechatpayCaller | undefined
  }
}

const payload = (p: unknown): string => p === null || p === undefined ? '' : Buffer.isBuffer(p) ? p.toString('utf8') : p as string

async function api (app: FastifyInstance): Promise<void> {
  const { engine } = app
  app.decorateRequest('wechatpay', undefined)
  const callerOf = (mchid: string): WechatpayCaller | undefined => {
    const merchant = engine.merchantByChannel(CHANNEL, (s) => (s as WechatpayCredentials).mchid === mchid)
    return merchant === undefined ? undefined : { merchant, creds: merchant.channels?.[CHANNEL] as WechatpayCredentials }
  }

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('Request-ID', request.id)
    const fields = parseAuthorization(request.headers.authorization)
    if (typeof fields !== 'string') request.wechatpay = callerOf(fields.mchid)
    done()
  })
  await app.register(journaled, { channel: CHANNEL, describe: (request) => ({ merchant_id: request.wechatpay?.merchant.id ?? null }) })

  app.addHook('preValidation', (request, _reply, done) => {
    authenticate(request)
    done()
  })

  function authenticate (request: FastifyRequest): void {
    const entry = request.journalEntry
    const verdict = (v: string, toSign: string | null): void => { if (entry !== undefined) entry.signature = { verdict: v, string_to_sign: toSign === null ? null : Journal.stringToSign(toSign) } }
    const fields = parseAuthorization(request.headers.authorization)
    if (typeof fields === 'string') { verdict('SIGN_ERROR', null); throw signError(fields, { field: 'Authorization', location: 'header', issue: fields }) }
    const caller = request.wechatpay
    if (caller === undefined) { verdict('SIGN_ERROR', null); throw signError(`商户号 ${fields.mchid} 不存在 (no merchant has WeChat Pay mchid ${fields.mchid})`, { field: 'mchid', location: 'header' }) }
    const toSign = requestMessage(request.method, request.url, fields.timestamp, fields.nonce_str, request.rawBody.toString('utf8'))
    const fail = (message: string, field: string): never => { verdict('SIGN_ERROR', toSign); throw signError(message, { field, location: 'header', issue: message }) }
    if (fields.serial_no.toUpperCase() !== caller.creds.merchant_serial_no) fail(`商户证书序列号有误 (serial_no ${fields.serial_no} is not the merchant's ${caller.creds.merchant_serial_no})`, 'serial_no')
    const skew = Math.abs(engine.signingSeconds() - Number(fields.timestamp))
    if (!/^\d{1,12}$/.test(fields.timestamp) || skew > engine.config.timestampToleranceSec) fail(`timestamp ${fields.timestamp} is more than ${engine.config.timestampToleranceSec} s from the gateway clock (${engine.signingSeconds()})`, 'timestamp')
    if (!rsaVerify(caller.creds.merchant_public_key, toSign, fields.signature)) fail('签名错误 (the signature does not verify with the merchant key of serial_no; compare your string to sign with the journal\'s)', 'signature')
    if (!engine.claimNonce(`${CHANNEL}:${caller.merchant.id}`, fields.nonce_str, Number(fields.timestamp), request.method)) fail(`nonce_str ${fields.nonce_str} was already used inside the timestamp window`, 'nonce_str')
    verdict('valid', toSign)
    if (entry !== undefined) entry.merchant_id = caller.merchant.id
  }

  // As paylab's /v1 answers (channels/paylab/protocol.ts): the RSA signature is made on the
  // gateway's worker pool when the crypto provider has one, and the hook waits for it.
  app.addHook('onSend', (request, reply, body, done) => {
    const caller = request.wechatpay
    if (caller === undefined) { done(null, body); return }
    const signed = platformHeadersSoon(engine.crypto, caller.creds, payload(body), engine.signingSeconds())
    if (!(signed instanceof Promise)) { reply.headers(signed); done(null, body); return }
    signed.then((headers) => { reply.headers(headers); done(null, body) }, done)
  })

  await app.register(sandboxed, {
    target: (request) => {
      const caller = request.wechatpay
      if (caller === undefined) return undefined
      const body = (request.body ?? {}) as { out_trade_no?: unknown, amount?: { total?: unknown } }
      const params = request.params as { out_trade_no?: unknown }
      const order = body.out_trade_no ?? params.out_trade_no
      return {
        merchantId: caller.merchant.id,
        merchantOrderId: typeof order === 'string' ? order : undefined,
        amount: typeof body.amount?.total === 'number' ? body.amount.total : undefined
      }
    },
    resign: (request, reply, body, fault) => {
      const caller = request.wechatpay
      if (caller !== undefined) reply.headers(platformHeaders(engine.crypto, caller.creds, body.toString('utf8'), engine.signingSeconds(), fault))
    }
  })

  app.setErrorHandler((err, request, reply) => {
    const werr = toWechatpayError(err, request.headers['content-type'])
    if (werr.code === 'SYSTEM_ERROR' && werr.statusCode === 500 && !(err instanceof WechatpayError) && (err as { code?: string }).code !== 'PAYLAB_SIMULATED_FAULT') request.log.error({ err }, 'unexpected failure')
    if (request.journalEntry !== undefined) request.journalEntry.error_code = werr.code
    return reply.code(werr.statusCode).type('application/json').send(werr.body())
  })

  await app.register(wechatpayRoutes)
}

export default async function wechatpay (app: FastifyInstance): Promise<void> {
  await app.register(api)
  await app.register(async (buyer) => {
    await buyer.register(journaled, { channel: CHANNEL })
    await buyer.register(buyerRoutes)
  })
}
