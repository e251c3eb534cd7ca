// A WeChat Pay v3 request signer written from WeChat's documentation, apart from the gateway's
// code, for tests that craft requests the SDKs would not (fields reordered, a replayed nonce).
import { createSign, randomBytes } from 'node:crypto'

export interface WxSignOptions {
  method: string
  path: string
  body?: unknown
  mchid: string
  serial: string
  privateKey: string
  timestamp?: number
  nonce?: string
  /** Field order of the Authorization header (the SDKs differ). */
  order?: string[]
}

export function wxAuthorization (o: WxSignOptions): { authorization: string, payload: string, message: string } {
  const payload = o.body === undefined ? '' : typeof o.body === 'string' ? o.body : JSON.stringify(o.body)
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000))
  const nonce = o.nonce ?? randomBytes(16).toString('hex')
  const message = `${o.method}\n${o.path}\n${timestamp}\n${nonce}\n${payload}\n`
  const signature = createSign('RSA-SHA256').update(message).sign(o.privateKey, 'base64')
  const fields: Record<string, string> = { mchid: o.mchid, nonce_str: nonce, signature, timestamp, serial_no: o.serial }
  const order = o.order ?? ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no']
  return { authorization: `WECHATPAY2-SHA256-RSA2048 ${order.map((k) => `${k}="${fields[k] ?? ''}"`).join(',')}`, payload, message }
}
