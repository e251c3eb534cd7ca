// The channel's signing scheme (docs/protocol.md): what is signed, and how both directions are
// signed and checked. Pure functions over a CryptoProvider.
import { equalDigests, type CryptoProvider } from './crypto.js'

export type SignatureType = 'HMAC-SHA256' | 'RSA-SHA256'
export const SIGNATURE_TYPES: readonly SignatureType[] = ['HMAC-SHA256', 'RSA-SHA256']

export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/

/** Base64, padded or not; the URL-safe alphabet is accepted too. */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/

/** `METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nNONCE\nBODY\n` as bytes; the body is the raw bytes sent. */
export function requestStringToSign (method: string, pathWithQuery: string, timestamp: string, nonce: string, body: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n`, 'utf8'),
    body,
    Buffer.from('\n')
  ])
}

/**
 * requestStringToSign as the gateway checks it: the same bytes, as text when there is no body
 * (nothing to copy into a Buffer: the hash encodes the text as UTF-8 itself).
 */
export function signedData (method: string, pathWithQuery: string, timestamp: string, nonce: string, body: Buffer): Buffer | string {
  if (body.length === 0) return `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n\n`
  return requestStringToSign(method, pathWithQuery, timestamp, nonce, body)
}

/**
 * `TIMESTAMP\nNONCE\nBODY\n`: what the gateway signs for answers and notifications. A text body
 * gives text: its UTF-8 bytes are the ones hashed and the ones sent, and it is never copied into
 * a Buffer on the way.
 */
export function answerStringToSign (timestamp: string, nonce: string, body: Buffer): Buffer
export function answerStringToSign (timestamp: string, nonce: string, body: string): string
export function answerStringToSign (timestamp: string, nonce: string, body: Buffer | string): Buffer | string
export function answerStringToSign (timestamp: string, nonce: string, body: Buffer | string): Buffer | string {
  if (typeof body === 'string') return `${timestamp}\n${nonce}\n${body}\n`
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), body, Buffer.from('\n')])
}

export interface VerifyKeys {
  hmacSecret?: string | undefined
  rsaPublicKeyPem?: string | undefined
}

/** Checks a base64 signature in constant time. Returns false for any malformed input. */
export function verifySignature (crypto: CryptoProvider, type: SignatureType, keys: VerifyKeys, data: Buffer | string, signatureB64: string): boolean {
  // Buffer.from skips characters outside the alphabet, so "sig!!" would pass for "sig" without this.
  if (!BASE64.test(signatureB64)) return false
  const given = Buffer.from(signatureB64, 'base64')
  if (given.length === 0) return false
  if (type === 'HMAC-SHA256') {
    if (keys.hmacSecret === undefined) return false
    return equalDigests(crypto.hmacSha256(keys.hmacSecret, data), given)
  }
  if (keys.rsaPublicKeyPem === undefined) return false
  return crypto.rsaSha256Verify(keys.rsaPublicKeyPem, data, given)
}

export interface SignKeys {
  hmacSecret?: string | undefined
  rsaPrivateKeyPem?: string | undefined
}

export function createSignature (crypto: CryptoProvider, type: SignatureType, keys: SignKeys, data: Buffer | string): string {
  if (type === 'HMAC-SHA256') {
    if (keys.hmacSecret === undefined) throw new Error('no HMAC secret to sign with')
    return crypto.hmacSha256(keys.hmacSecret, data).toString('base64')
  }
  if (keys.rsaPrivateKeyPem === undefined) throw new Error('no RSA private key to sign with')
  return crypto.rsaSha256Sign(keys.rsaPrivateKeyPem, data).toString('base64')
}
