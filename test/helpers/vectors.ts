// The fixed protocol vectors of docs/vectors (computed with openssl, TEST ONLY keys).
import { readFileSync } from 'node:fs'

const dir = new URL('../../docs/vectors/', import.meta.url)
const read = (name: string): string => readFileSync(new URL(name, dir), 'utf8')

export interface RequestVector {
  signature_type: 'HMAC-SHA256' | 'RSA-SHA256'
  merchant: string
  method: string
  path: string
  timestamp: string
  nonce: string
  body: string
  string_to_sign: string
  signature: string
}

export interface AnswerVector {
  signature_type: 'HMAC-SHA256' | 'RSA-SHA256'
  key_id: string | null
  timestamp: string
  nonce: string
  body: string
  string_to_sign: string
  signature: string
}

/** A notification: signed like an answer, plus the event id and attempt headers. */
export interface NotificationVector extends AnswerVector {
  event_id: string
  delivery_attempt: string
}

export interface Vectors {
  merchant: { id: string, hmac_secret: string, rsa_public_key_file: string, rsa_private_key_file: string }
  gateway_key: { id: string }
  hmac_request: RequestVector
  hmac_request_with_query: RequestVector
  rsa_request: RequestVector
  hmac_answer: AnswerVector
  rsa_answer: AnswerVector
  pay: { merchant: string, secret: string, method: string, path: string, body: string, signature: string }
  hmac_notification: NotificationVector
}

export const vectors = JSON.parse(read('vectors.json')) as Vectors

/** The TEST ONLY key pair, as the PEM files hold it (a TEST ONLY banner before the PEM block). */
export const vectorKeys = {
  publicKeyPem: read(vectors.merchant.rsa_public_key_file),
  privateKeyPem: read(vectors.merchant.rsa_private_key_file),
  privateKeyPath: new URL(vectors.merchant.rsa_private_key_file, dir).pathname
}

export const requestVectors = [vectors.hmac_request, vectors.hmac_request_with_query, vectors.rsa_request]
export const answerVectors = [vectors.hmac_answer, vectors.rsa_answer]

/** The headers a request carries, taken verbatim from a vector (not signed again). */
export function vectorHeaders (v: RequestVector): Record<string, string> {
  return {
    'paylab-merchant': v.merchant,
    'paylab-timestamp': v.timestamp,
    'paylab-nonce': v.nonce,
    'paylab-signature-type': v.signature_type,
    'paylab-signature': v.signature,
    ...(v.body === '' ? {} : { 'content-type': 'application/json' })
  }
}
