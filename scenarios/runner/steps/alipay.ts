// Requests to paylab's Alipay profile (OpenAPI v2, /gateway.do) signed as the scenario's
// merchant's Alipay app, as an Alipay SDK sends them: common parameters in the query string,
// biz_content in a form body, RSA2 over the sorted parameters. The first such step gives the
// merchant an Alipay app (PATCH /admin/merchants/{id} with channels.alipay and the run's app key). The answer's inner object is checked and captured from (`$.code`,
// `$.qr_code`), with `$.sign_verified`: whether its sign verifies with the app's Alipay key.
import { createSign, createVerify, generateKeyPair } from 'node:crypto'
import { promisify } from 'node:util'
import type { ScenarioContext } from '../context.js'
import { send } from '../http.js'
import { ExpectationFailed } from '../types.js'
import type { Handlers } from './types.js'

interface AlipayApp { app_id: string, app_private_key: string, alipay_public_key: string }

const apps = new WeakMap<ScenarioContext, AlipayApp>()

/** One app key pair for the run's apps: an RSA key generation per scenario would cost more than the scenario. */
let appKeys: Promise<{ publicKey: string, privateKey: string }> | undefined

/** The app's key pair: from the crypto provider a test injects (fixture keys), else the run's own. */
async function appKeyPair (ctx: ScenarioContext): Promise<{ publicKey: string, privateKey: string }> {
  const injected = ctx.services.crypto?.generateRsaKeyPair()
  if (injected !== undefined) return { publicKey: injected.publicKeyPem, privateKey: injected.privateKeyPem }
  appKeys ??= promisify(generateKeyPair)('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } })
  return await appKeys
}

async function appOf (ctx: ScenarioContext): Promise<AlipayApp> {
  let app = apps.get(ctx)
  if (app === undefined) {
    const keys = await appKeyPair(ctx)
    const answer = await ctx.services.admin.json<{ channels: { alipay: AlipayApp } }>('PATCH', `/admin/merchants/${encodeURIComponent(ctx.merchant.id)}`, { channels: { alipay: { app_public_key: keys.publicKey } } })
    app = { ...answer.channels.alipay, app_private_key: keys.privateKey }
    apps.set(ctx, app)
  }
  return app
}

/** `yyyy-MM-dd HH:mm:ss`, as the SDKs write the timestamp. */
const timestamp = (ms: number): string => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')

type Args = Record<string, any>

export const alipaySteps: Handlers = {
  alipay: async (ctx, args: Args) => {
    const app = await appOf(ctx)
    const method = String(args.method)
    const params = new Map<string, string>([
      ['app_id', app.app_id], ['method', method], ['format', 'JSON'], ['charset', 'utf-8'], ['sign_type', 'RSA2'],
      ['timestamp', timestamp(Date.now())], ['version', '1.0']
    ])
    for (const [k, v] of Object.entries((args.params ?? {}) as Record<string, unknown>)) params.set(k, String(v))
    if (args.biz !== undefined) params.set('biz_content', JSON.stringify(args.biz))
    const content = [...params.keys()].sort().map((k) => `${k}=${params.get(k) as string}`).join('&')
    let sign = createSign('RSA-SHA256').update(content, 'utf8').sign(app.app_private_key, 'base64')
    if (args.break === 'bad_signature') sign = `${sign.slice(0, 10)}${sign[10] === 'A' ? 'B' : 'A'}${sign.slice(11)}`
    params.set('sign', sign)

    const query = new URLSearchParams([...params].filter(([k]) => k !== 'biz_content'))
    const body = params.has('biz_content') ? new URLSearchParams({ biz_content: params.get('biz_content') as string }).toString() : undefined
    const url = `${ctx.services.gatewayUrl}/gateway.do?${query.toString()}`
    let answer
    try {
      answer = await send(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, ...(body === undefined ? {} : { body }) })
    } catch (err) {
      // `no_answer: true`: the scenario expects the connection to fail (a lost answer).
      if (args.no_answer === true && err instanceof ExpectationFailed) return { answer: { status: 0, headers: {}, text: err.message, json: { no_answer: true } } }
      throw err
    }
    if (args.no_answer === true) throw new ExpectationFailed(`${method}: an answer came (${answer.status}) where none was expected`)
    const key = `${method.replaceAll('.', '_')}_response`
    const whole = answer.json as Record<string, unknown> | undefined
    if (whole === undefined || typeof whole !== 'object' || !Object.hasOwn(whole, key)) return { answer }
    // What the SDKs verify: the inner object's bytes as sent, and the sign after it.
    const start = answer.text.indexOf(`"${key}":`) + key.length + 3
    const end = answer.text.lastIndexOf(',"sign":')
    const signed = typeof whole.sign === 'string' && end > start &&
      createVerify('RSA-SHA256').update(answer.text.slice(start, end), 'utf8').verify(app.alipay_public_key, whole.sign, 'base64')
    return { answer: { ...answer, json: { ...(whole[key] as object), sign_verified: signed } } }
  }
}
