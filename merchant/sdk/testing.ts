// Helpers for teams' own tests: signed requests and notifications, valid or broken on purpose.
import { hmacSha256, rsaSign } from './crypto.js'
import { answerStringToSign, newNonce, signingHeaders, type SigningCredentials } from './signing.js'
import type { PaylabEvent } from './types.js'

export type Breakage = 'bad_signature' | 'stale_timestamp' | 'wrong_key'

function breakSignature (signature: string): string {
  const bytes = Buffer.from(signature, 'base64')
  bytes[0] = (bytes[0] ?? 0) ^ 0xff
  return bytes.toString('base64')
}

/** A request to the channel as a merchant sends it: headers and the exact body bytes. */
export function buildSignedRequest (creds: SigningCredentials, opts: { method: string, path: string, body?: unknown, now?: number, broken?: Breakage }): { headers: Record<string, string>, body: string } {
  const body = opts.body === undefined ? '' : JSON.stringify(opts.body)
  const nowSec = Math.floor((opts.now ?? Date.now()) / 1000) - (opts.broken === 'stale_timestamp' ? 3600 : 0)
  const signer = opts.broken === 'wrong_key' ? { ...creds, secret: `${creds.secret ?? ''}-wrong` } : creds
  const headers = signingHeaders(signer, opts.method, opts.path, Buffer.from(body), nowSec)
  if (opts.broken === 'bad_signature') headers['Paylab-Signature'] = breakSignature(headers['Paylab-Signature'] as string)
  if (body !== '') headers['content-type'] = 'application/json'
  return { headers, body }
}

export interface NotificationSigner {
  /** HMAC-SHA256 with the merchant's secret, or RSA-SHA256 with a (test) gateway key. */
  secret?: string
  privateKey?: string
  keyId?: string
}

/** A notification as the gateway sends it, for testing a receiver without a gateway. */
export function buildNotification (event: PaylabEvent, signer: NotificationSigner, opts: { now?: number, attempt?: number, broken?: Breakage } = {}): { headers: Record<string, string>, body: string } {
  const body = JSON.stringify(event)
  const timestamp = String(Math.floor((opts.now ?? Date.now()) / 1000) - (opts.broken === 'stale_timestamp' ? 3600 : 0))
  const nonce = newNonce()
  const data = answerStringToSign(timestamp, nonce, Buffer.from(body))
  const rsa = signer.privateKey !== undefined
  const signature = rsa
    ? rsaSign(signer.privateKey as string, data).toString('base64')
    : hmacSha256(opts.broken === 'wrong_key' ? `${signer.secret ?? ''}-wrong` : signer.secret ?? '', data).toString('base64')
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'Paylab-Timestamp': timestamp,
      'Paylab-Nonce': nonce,
      'Paylab-Signature-Type': rsa ? 'RSA-SHA256' : 'HMAC-SHA256',
      'Paylab-Signature': opts.broken === 'bad_signature' ? breakSignature(signature) : signature,
      ...(rsa ? { 'Paylab-Key-Id': opts.broken === 'wrong_key' ? 'key_unknown' : signer.keyId ?? '' } : {}),
      'Paylab-Event-Id': event.id,
      'Paylab-Delivery-Attempt': String(opts.attempt ?? 1)
    }
  }
}
