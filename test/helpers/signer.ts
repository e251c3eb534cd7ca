// A client-side signer written apart from the gateway's code (as an integrator would), so that
// tests check the gateway against the protocol rather than against itself.
import { createHmac, randomBytes, sign, verify, constants } from 'node:crypto'

export interface Credentials {
  merchant: string
  secret?: string
  privateKeyPem?: string
}

export interface SignOptions {
  method: string
  path: string
  body?: unknown
  type?: 'HMAC-SHA256' | 'RSA-SHA256'
  timestamp?: number
  nonce?: string
  idempotencyKey?: string
  headers?: Record<string, string>
}

export const nonce = (): string => randomBytes(16).toString('hex')

export function signRequest (creds: Credentials, opts: SignOptions): { headers: Record<string, string>, payload: string } {
  const payload = opts.body === undefined ? '' : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)
  const type = opts.type ?? 'HMAC-SHA256'
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000))
  const n = opts.nonce ?? nonce()
  const toSign = `${opts.method}\n${opts.path}\n${timestamp}\n${n}\n${payload}\n`
  const signature = type === 'HMAC-SHA256'
    ? createHmac('sha256', creds.secret ?? '').update(toSign).digest('base64')
    : sign('sha256', Buffer.from(toSign), { key: creds.privateKeyPem ?? '', padding: constants.RSA_PKCS1_PADDING }).toString('base64')
  const headers: Record<string, string> = {
    'paylab-merchant': creds.merchant,
    'paylab-timestamp': timestamp,
    'paylab-nonce': n,
    'paylab-signature-type': type,
    'paylab-signature': signature,
    ...(payload === '' ? {} : { 'content-type': 'application/json' }),
    ...(opts.idempotencyKey === undefined ? {} : { 'idempotency-key': opts.idempotencyKey }),
    ...opts.headers
  }
  return { headers, payload }
}

/** Checks an answer's signature the way a merchant must: over TIMESTAMP\nNONCE\nBODY\n. */
export function answerVerifies (headers: Record<string, unknown>, body: string | Buffer, keys: { secret?: string, publicKeyPem?: string }): boolean {
  const h = (name: string) => String(headers[name] ?? '')
  const data = Buffer.concat([Buffer.from(`${h('paylab-timestamp')}\n${h('paylab-nonce')}\n`), Buffer.from(body), Buffer.from('\n')])
  const given = Buffer.from(h('paylab-signature'), 'base64')
  if (h('paylab-signature-type') === 'HMAC-SHA256') {
    return createHmac('sha256', keys.secret ?? '').update(data).digest().equals(given)
  }
  return verify('sha256', data, { key: keys.publicKeyPem ?? '', padding: constants.RSA_PKCS1_PADDING }, given)
}
