// Who is asking and whether the request is signed right. OpenAPI v2 (/gateway.do): app_id among
// the parameters, RSA2 over the sorted `k=v&…` of every parameter but `sign`. OpenAPI v3:
// `Authorization: ALIPAY-SHA256withRSA app_id=…,nonce=…,timestamp=…,sign=…` over the auth
// string, method, path with query and body; a nonce is accepted once inside the time window.
import type { Engine } from '../../engine/engine.js'
import type { Merchant } from '../../engine/types.js'
import type { AlipayCredentials } from './credentials.js'
import { AlipayError } from './errors.js'
import { contentToSign, rsa2Verify, v3RequestContent, type Params } from './sign.js'

export interface Caller { merchant: Merchant, creds: AlipayCredentials }

/** The merchant whose Alipay app this is. */
export function callerOf (engine: Engine, appId: string | undefined): Caller | undefined {
  if (appId === undefined || !/^\d{6,32}$/.test(appId)) return undefined
  const merchant = engine.merchantByChannel('alipay', (s) => (s as AlipayCredentials).app_id === appId)
  return merchant === undefined ? undefined : { merchant, creds: engine.channelCredentials(merchant.id, 'alipay') as AlipayCredentials }
}

/** The parameters of a /gateway.do request: the query string's, then the form body's. First value wins. */
export function gatewayParams (rawQuery: string, body: Params | undefined): Map<string, string> {
  const params = new Map<string, string>()
  for (const [k, v] of new URLSearchParams(rawQuery)) if (!params.has(k)) params.set(k, v)
  if (body !== undefined) for (const [k, v] of body) if (!params.has(k)) params.set(k, v)
  return params
}

export function formParams (raw: Buffer): Map<string, string> {
  const params = new Map<string, string>()
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) if (!params.has(k)) params.set(k, v)
  return params
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/

/**
 * Checks a /gateway.do request. `trace.stringToSign` receives what paylab verified. The
 * timestamp's format is checked, not its distance: SDKs write it in the client's local time.
 */
export function verifyGatewayRequest (engine: Engine, params: Params, trace: { stringToSign?: string }): Caller {
  const get = (k: string) => params.get(k)
  if ((get('app_id') ?? '') === '') throw new AlipayError('isv.missing-app-id', 'app_id is missing')
  if ((get('method') ?? '') === '') throw new AlipayError('isv.missing-method', 'method is missing')
  const caller = callerOf(engine, get('app_id'))
  if (caller === undefined) throw new AlipayError('isv.invalid-app-id', `no app has the app_id ${JSON.stringify(get('app_id'))}; register it in channels.alipay of POST /admin/merchants`)
  const charset = get('charset')
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') throw new AlipayError('isv.invalid-charset', 'paylab takes charset utf-8 only')
  if ((get('sign') ?? '') === '') throw new AlipayError('isv.missing-signature', 'sign is missing')
  if ((get('sign_type') ?? '') === '') throw new AlipayError('isv.missing-signature-type', 'sign_type is missing')
  if (get('sign_type') !== 'RSA2') throw new AlipayError('isv.invalid-signature-type', 'sign_type must be RSA2 (SHA256withRSA)')
  if ((get('timestamp') ?? '') === '') throw new AlipayError('isv.missing-timestamp', 'timestamp is missing')
  if (!TIMESTAMP.test(get('timestamp') as string)) throw new AlipayError('isv.invalid-timestamp', 'timestamp must be yyyy-MM-dd HH:mm:ss')
  const content = contentToSign(params, ['sign'])
  trace.stringToSign = content
  const sign = get('sign') as string
  // Alipay's gateway leaves empty values out; the Node SDK signs them: either is accepted.
  const valid = rsa2Verify(engine.crypto, caller.creds.app_public_key, content, sign) ||
    ([...params.values()].includes('') && rsa2Verify(engine.crypto, caller.creds.app_public_key, contentToSign(params, ['sign'], true), sign))
  if (!valid) throw new AlipayError('isv.invalid-signature', `the signature does not verify with the app public key; the string paylab verified: ${content}`)
  return caller
}

const SCHEME = 'ALIPAY-SHA256withRSA '

export interface V3Request { method: string, url: string, headers: Record<string, string | string[] | undefined>, body: Buffer }

/** Checks an OpenAPI v3 request. */
export function verifyV3Request (engine: Engine, req: V3Request, trace: { stringToSign?: string }): Caller {
  const header = (name: string): string | undefined => { const v = req.headers[name]; return Array.isArray(v) ? v[0] : v }
  const authorization = header('authorization') ?? ''
  if (!authorization.startsWith(SCHEME)) throw new AlipayError('isv.missing-signature', `Authorization must be ${SCHEME}app_id=…,nonce=…,timestamp=…,sign=…`, 401)
  const rest = authorization.slice(SCHEME.length)
  const at = rest.lastIndexOf(',sign=')
  if (at < 0) throw new AlipayError('isv.missing-signature', 'Authorization has no sign', 401)
  const auth = rest.slice(0, at)
  const sign = rest.slice(at + ',sign='.length)
  const fields = new Map<string, string>()
  for (const pair of auth.split(',')) {
    const eq = pair.indexOf('=')
    if (eq > 0 && !fields.has(pair.slice(0, eq))) fields.set(pair.slice(0, eq), pair.slice(eq + 1))
  }
  const caller = callerOf(engine, fields.get('app_id'))
  if (caller === undefined) throw new AlipayError('isv.invalid-app-id', `no app has the app_id ${JSON.stringify(fields.get('app_id') ?? '')}`, 401)
  const nonce = fields.get('nonce') ?? ''
  const timestamp = fields.get('timestamp') ?? ''
  if (!/^[\w-]{8,64}$/.test(nonce)) throw new AlipayError('isv.invalid-nonce', 'nonce must be 8 to 64 letters, digits, - or _', 401)
  if (!/^\d{13}$/.test(timestamp)) throw new AlipayError('isv.invalid-timestamp', 'timestamp must be unix time in milliseconds', 401)
  const content = v3RequestContent(auth, req.method, req.url, req.body.toString('utf8'), header('alipay-app-auth-token'))
  trace.stringToSign = content
  if (!rsa2Verify(engine.crypto, caller.creds.app_public_key, content, sign)) {
    throw new AlipayError('isv.invalid-signature', `the signature does not verify with the app public key; the string paylab verified: ${JSON.stringify(content)}`, 401)
  }
  const toleranceMs = engine.config.timestampToleranceSec * 1000
  const now = engine.signingSeconds() * 1000
  if (Math.abs(now - Number(timestamp)) > toleranceMs) throw new AlipayError('isv.invalid-timestamp', `timestamp is more than ${toleranceMs / 1000} s from the gateway clock`, 401)
  // paylab's replay rule (kept while the timestamp can be accepted; a mutation's nonce is durable).
  if (!engine.claimNonce(`alipay:${caller.merchant.id}`, nonce, Math.floor(Number(timestamp) / 1000), req.method)) throw new AlipayError('isv.replayed-nonce', 'this nonce was already used; sign every request with a fresh one', 401)
  return caller
}
