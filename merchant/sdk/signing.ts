// The protocol's signatures from the merchant's side: signing requests, checking answers and
// notifications. See docs/protocol.md; the vectors in docs/vectors/ test this file.
import { randomBytes } from 'node:crypto'
import { hmacSha256, rsaSign, rsaVerify, safeEqual } from './crypto.js'
import { PaylabSignatureError } from './errors.js'
import type { GatewayKey, SignatureType } from './types.js'

export interface SigningCredentials {
  merchantId: string
  signatureType: SignatureType
  secret?: string | undefined
  privateKey?: string | undefined
}

export const newNonce = (): string => randomBytes(16).toString('base64url')

export function requestStringToSign (method: string, pathWithQuery: string, timestamp: string, nonce: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n`), body, Buffer.from('\n')])
}

export function answerStringToSign (timestamp: string, nonce: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), body, Buffer.from('\n')])
}

/** The five signing headers of a request. */
export function signingHeaders (creds: SigningCredentials, method: string, pathWithQuery: string, body: Buffer, timestamp: number, nonce = newNonce()): Record<string, string> {
  const ts = String(timestamp)
  const data = requestStringToSign(method, pathWithQuery, ts, nonce, body)
  const signature = creds.signatureType === 'HMAC-SHA256'
    ? hmacSha256(creds.secret ?? '', data)
    : rsaSign(creds.privateKey ?? '', data)
  return {
    'Paylab-Merchant': creds.merchantId,
    'Paylab-Timestamp': ts,
    'Paylab-Nonce': nonce,
    'Paylab-Signature-Type': creds.signatureType,
    'Paylab-Signature': signature.toString('base64')
  }
}

export interface VerifyOptions {
  secret?: string | undefined
  /** Gateway keys by id (for RSA-signed answers). */
  keys: ReadonlyMap<string, Pick<GatewayKey, 'id' | 'public_key'>>
  toleranceSec: number
  nowSec: number
}

export type HeaderBag = Record<string, string | string[] | undefined> | Headers

/** A header by its lower-case name: node gives lower-case names, a record made by hand may not. */
export function headerValue (headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  const record = headers as Record<string, string | string[] | undefined>
  const key = name in record ? name : Object.keys(record).find((k) => k.toLowerCase() === name)
  const v = key === undefined ? undefined : record[key]
  return Array.isArray(v) ? v[0] : v
}

const get = headerValue

/**
 * Checks a signed answer or notification over its raw bytes. Throws PaylabSignatureError
 * (never returns false) so that an unverified body cannot be used by mistake.
 */
export function verifySigned (rawBody: Buffer, headers: HeaderBag, opts: VerifyOptions): void {
  const timestamp = get(headers, 'paylab-timestamp')
  const nonce = get(headers, 'paylab-nonce')
  const type = get(headers, 'paylab-signature-type')
  const signature = get(headers, 'paylab-signature')
  if (timestamp === undefined || nonce === undefined || type === undefined || signature === undefined) {
    throw new PaylabSignatureError('the answer is not signed (Paylab-Timestamp, Paylab-Nonce, Paylab-Signature-Type and Paylab-Signature are required)')
  }
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(opts.nowSec - Number(timestamp)) > opts.toleranceSec) {
    throw new PaylabSignatureError(`the answer's Paylab-Timestamp ${timestamp} is more than ${opts.toleranceSec} s from this clock (${opts.nowSec})`)
  }
  const data = answerStringToSign(timestamp, nonce, rawBody)
  const given = Buffer.from(signature, 'base64')
  if (type === 'HMAC-SHA256') {
    if (opts.secret === undefined || !safeEqual(hmacSha256(opts.secret, data), given)) throw new PaylabSignatureError('the answer\'s HMAC-SHA256 signature does not match its body')
    return
  }
  if (type !== 'RSA-SHA256') throw new PaylabSignatureError(`unknown Paylab-Signature-Type ${type}`)
  const keyId = get(headers, 'paylab-key-id')
  const key = keyId === undefined ? undefined : opts.keys.get(keyId)
  if (key === undefined) throw new PaylabSignatureError(`the answer is signed with key ${keyId ?? '(none)'}, which is not a known gateway key`)
  if (!rsaVerify(key.public_key, data, given)) throw new PaylabSignatureError(`the answer's RSA-SHA256 signature does not verify with gateway key ${key.id}`)
}
