// WeChat Pay v3 signatures: WECHATPAY2-SHA256-RSA2048 requests (the merchant's key) and the
// Wechatpay-* headers of answers and notifications (the platform key), RSA-SHA256 in base64.
import { createPublicKey, createVerify, randomBytes, type KeyObject } from 'node:crypto'
import type { SigningFault } from '../../engine/auth.js'
import { rsaSha256SignSoon, whenReady, type CryptoProvider, type Soon } from '../../engine/crypto.js'
import type { WechatpayCredentials } from './credentials.js'

export const SCHEMA = 'WECHATPAY2-SHA256-RSA2048'
const AUTH_FIELDS = ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no'] as const
export type AuthFields = Record<(typeof AUTH_FIELDS)[number], string>

/** `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n` (an empty body for a GET). */
export const requestMessage = (method: string, pathWithQuery: string, timestamp: string, nonce: string, body: string): string =>
  `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`

/** `TIMESTAMP\nNONCE\nBODY\n` for answers and notifications. */
export const answerMessage = (timestamp: string, nonce: string, body: string): string => `${timestamp}\n${nonce}\n${body}\n`

/**
 * The fields of an Authorization header, in any order (the SDKs differ), or what is wrong with it.
 * Values are quoted; a field given twice is refused rather than guessed.
 */
export function parseAuthorization (header: string | undefined): AuthFields | string {
  if (header === undefined || header === '') return 'the Authorization header is missing'
  if (!header.startsWith(`${SCHEMA} `)) return `the Authorization scheme must be ${SCHEMA}`
  const fields = new Map<string, string>()
  for (const part of header.slice(SCHEMA.length + 1).split(',')) {
    const match = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part)
    if (match === null) return `the Authorization field ${JSON.stringify(part.trim())} is not name="value"`
    if (fields.has(match[1] as string)) return `the Authorization field ${match[1] as string} is given twice`
    fields.set(match[1] as string, match[2] as string)
  }
  const missing = AUTH_FIELDS.filter((f) => (fields.get(f) ?? '') === '')
  if (missing.length > 0) return `the Authorization header lacks ${missing.join(', ')}`
  return Object.fromEntries(AUTH_FIELDS.map((f) => [f, fields.get(f) as string])) as AuthFields
}

// Parsing a PEM costs more than the RSA-SHA256 it serves (2048-bit, one loaded core: a verify
// 0.69 ms from the PEM, 0.07 ms from a KeyObject), and every request uses one of a few merchant
// keys: each is parsed once. The PEMs come from stored credentials, never from a request; the cap
// bounds a long-lived gateway whose merchants keep rotating keys. (Signatures are the crypto
// provider's, which keeps its own parsed private keys, in each pool worker too.)
const KEY_CACHE_LIMIT = 1024
const publicKeys = new Map<string, KeyObject>()

function cached (cache: Map<string, KeyObject>, pem: string, parse: (pem: string) => KeyObject): KeyObject {
  let key = cache.get(pem)
  if (key === undefined) {
    if (cache.size >= KEY_CACHE_LIMIT) cache.clear()
    key = parse(pem)
    cache.set(pem, key)
  }
  return key
}

/** RSA-SHA256 (PKCS#1 v1.5) in base64, made by the crypto provider. */
export function rsaSign (crypto: CryptoProvider, privateKeyPem: string, message: string): string {
  return crypto.rsaSha256Sign(privateKeyPem, message).toString('base64')
}

export function rsaVerify (publicKeyPem: string, message: string, signature: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(message).verify(cached(publicKeys, publicKeyPem, createPublicKey), signature, 'base64')
  } catch {
    return false
  }
}

/** The serial answers carry: the public key id, or the platform certificate's serial in certificate mode. */
export const platformSerial = (c: WechatpayCredentials): string => c.mode === 'certificate' ? c.platform_certificate_serial : c.platform_public_key_id

export const newNonce = (): string => randomBytes(16).toString('hex').toUpperCase()

/**
 * The Wechatpay-* headers over `body`; `fault` signs them wrong on purpose (the sandbox's answer
 * faults). Signed at once: the faults' `resign` (see platformHeadersSoon).
 */
export function platformHeaders (crypto: CryptoProvider, c: WechatpayCredentials, body: string, nowSec: number, fault?: SigningFault): Record<string, string> {
  const { headers, message } = unsigned(c, body, nowSec, fault)
  return signed(headers, rsaSign(crypto, c.platform_private_key, message), fault)
}

/**
 * platformHeaders of an answer on its way out or of a notification: the signature is made
 * through the provider's async form when it has one (the gateway's worker pool, off the event
 * loop: ~0.6 ms of a core each), else at once with no promise.
 */
export function platformHeadersSoon (crypto: CryptoProvider, c: WechatpayCredentials, body: string, nowSec: number, fault?: SigningFault): Soon<Record<string, string>> {
  const { headers, message } = unsigned(c, body, nowSec, fault)
  return whenReady(rsaSha256SignSoon(crypto, c.platform_private_key, message), (signature) => signed(headers, signature.toString('base64'), fault))
}

/** The headers with the signature, one that does not verify under `bad_signature`. */
function signed (headers: Record<string, string>, signature: string, fault: SigningFault | undefined): Record<string, string> {
  if (fault?.kind === 'bad_signature') {
    const bytes = Buffer.from(signature, 'base64')
    bytes[0] = (bytes[0] as number) ^ 0xff
    signature = bytes.toString('base64')
  }
  return { ...headers, 'Wechatpay-Signature': signature, 'Wechatpay-Signature-Type': SCHEMA }
}

/** The headers bar the signature, in the order they are sent, and the message the signature covers. */
function unsigned (c: WechatpayCredentials, body: string, nowSec: number, fault: SigningFault | undefined): { headers: Record<string, string>, message: string } {
  const timestamp = String(nowSec - (fault?.kind === 'stale_timestamp' ? fault.seconds : 0))
  const nonce = newNonce()
  return {
    headers: {
      'Wechatpay-Timestamp': timestamp,
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Serial': fault?.kind === 'unknown_key' ? 'PUB_KEY_ID_0000000000000000000000000000' : platformSerial(c)
    },
    message: answerMessage(timestamp, nonce, body)
  }
}
