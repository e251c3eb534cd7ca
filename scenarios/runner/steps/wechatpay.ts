// WeChat Pay v3 steps: the scenario's merchant gets WeChat Pay credentials (`wechatpay.merchant`,
// then `${wechatpay.mchid}`, `${wechatpay.appid}`), and `wechatpay.request` signs a request as
// WECHATPAY2-SHA256-RSA2048 and checks the answer's Wechatpay-Signature as the SDKs do. Written
// from WeChat's documentation, apart from the gateway's code.
import { createSign, createVerify, randomBytes } from 'node:crypto'
import type { ScenarioContext } from '../context.js'
import { jsonHeaders, send } from '../http.js'
import { ExpectationFailed, type Answer, type Mismatch } from '../types.js'
import type { Handlers } from './types.js'

interface WechatCreds { mchid: string, appid: string, merchant_serial_no: string, merchant_private_key: string, platform_public_key: string, platform_public_key_id: string, apiv3_key: string }
type Args = Record<string, any>

const credsOf = (ctx: ScenarioContext): WechatCreds => {
  const creds = ctx.vars.get('wechatpay') as WechatCreds | undefined
  if (creds === undefined) throw new ExpectationFailed('wechatpay.request needs a wechatpay.merchant step before it')
  return creds
}

export function answerSignatureValid (answer: Answer, creds: WechatCreds): boolean {
  const h = answer.headers
  if (h['wechatpay-serial'] !== creds.platform_public_key_id) return false
  const message = `${h['wechatpay-timestamp'] ?? ''}\n${h['wechatpay-nonce'] ?? ''}\n${answer.text}\n`
  try {
    return createVerify('RSA-SHA256').update(message).verify(creds.platform_public_key, h['wechatpay-signature'] ?? '', 'base64')
  } catch {
    return false
  }
}

export const wechatpaySteps: Handlers = {
  'wechatpay.merchant': async (ctx, args: Args) => {
    const answer = await ctx.services.admin.call('PATCH', `/admin/merchants/${encodeURIComponent(ctx.merchant.id)}`, { channels: { wechatpay: args ?? {} } })
    const creds = (answer.json as { channels?: { wechatpay?: WechatCreds } } | undefined)?.channels?.wechatpay
    if (creds !== undefined) ctx.vars.set('wechatpay', creds)
    return { answer }
  },

  'wechatpay.request': async (ctx, args: Args) => {
    const creds = credsOf(ctx)
    const body = args.body === undefined ? '' : typeof args.body === 'string' ? args.body : JSON.stringify(args.body)
    const now = Math.floor((args.break === 'stale_timestamp' ? Math.min(Date.now(), ctx.services.now()) - 3_600_000 : Date.now()) / 1000)
    const nonce = randomBytes(16).toString('hex').toUpperCase()
    let signature = createSign('RSA-SHA256').update(`${String(args.method)}\n${String(args.path)}\n${now}\n${nonce}\n${body}\n`).sign(creds.merchant_private_key, 'base64')
    if (args.break === 'bad_signature') signature = `${signature.slice(0, 10)}${signature.slice(10, 11) === 'A' ? 'B' : 'A'}${signature.slice(11)}`
    const serial = args.break === 'wrong_serial' ? 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF' : creds.merchant_serial_no
    const authorization = `WECHATPAY2-SHA256-RSA2048 mchid="${creds.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${now}",serial_no="${serial}"`
    const headers = { ...jsonHeaders, accept: 'application/json', authorization, ...args.headers }
    let answer: Answer
    try {
      answer = await send(`${ctx.services.gatewayUrl}${String(args.path)}`, { method: args.method, headers, ...(body === '' ? {} : { body }) })
    } catch (err) {
      // `no_answer: true`: the step expects the connection to end without an answer (response_lost…).
      if (args.no_answer === true && err instanceof ExpectationFailed) return { answer: { status: 0, headers: {}, text: '', json: undefined } }
      throw err
    }
    const mismatches: Mismatch[] = []
    if (args.no_answer === true) mismatches.push({ path: 'answer', expected: 'no answer', seen: `HTTP ${answer.status}` })
    // Like the SDKs: a 2xx must carry a valid signature (verify: refused expects the opposite).
    const verify = args.verify ?? (answer.status >= 200 && answer.status < 300 ? 'valid' : 'skip')
    if (verify !== 'skip') {
      const valid = answerSignatureValid(answer, creds)
      if (valid !== (verify === 'valid')) mismatches.push({ path: 'Wechatpay-Signature', expected: verify === 'valid' ? 'a valid signature of the platform key' : 'a signature the SDK refuses', seen: valid ? 'valid' : 'invalid' })
    }
    return { answer, mismatches }
  }
}
