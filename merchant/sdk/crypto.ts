// The merchant's crypto path, deliberately not the gateway's: node-rsa for RSA (PKCS#1 v1.5
// with SHA-256 for signatures, OAEP with SHA-256 for the card key), node:crypto for HMAC and
// AES-GCM. The protocol's published vectors prove the two sides agree.
import { createCipheriv, createHmac, randomBytes, timingSafeEqual, createHash } from 'node:crypto'
import NodeRSA from 'node-rsa'
import type { CardEnvelope, CardInput, GatewayKey } from './types.js'

export const hmacSha256 = (secret: string, data: Buffer): Buffer => createHmac('sha256', secret).update(data).digest()

const privateKeys = new Map<string, NodeRSA>()
const publicKeys = new Map<string, NodeRSA>()

function rsaPrivate (pem: string): NodeRSA {
  let key = privateKeys.get(pem)
  if (key === undefined) {
    // node-rsa's default signing scheme is PSS; the protocol is PKCS#1 v1.5.
    key = new NodeRSA(pem, { signingScheme: 'pkcs1-sha256' } as never)
    privateKeys.set(pem, key)
  }
  return key
}

function rsaPublic (pem: string): NodeRSA {
  let key = publicKeys.get(pem)
  if (key === undefined) {
    key = new NodeRSA(pem, { signingScheme: 'pkcs1-sha256', encryptionScheme: { scheme: 'pkcs1_oaep', hash: 'sha256' } } as never)
    publicKeys.set(pem, key)
  }
  return key
}

export const rsaSign = (privateKeyPem: string, data: Buffer): Buffer => Buffer.from(rsaPrivate(privateKeyPem).sign(data))

export function rsaVerify (publicKeyPem: string, data: Buffer, signature: Buffer): boolean {
  try {
    return rsaPublic(publicKeyPem).verify(data, signature)
  } catch {
    return false
  }
}

/** Constant-time comparison that does not leak the expected length either. */
export function safeEqual (a: Buffer, b: Buffer): boolean {
  const da = createHash('sha256').update(a).digest()
  const db = createHash('sha256').update(b).digest()
  return timingSafeEqual(da, db) && a.length === b.length
}

export type { CardEnvelope }

/** Encrypts card details for the gateway: a fresh AES-256-GCM key, wrapped with RSA-OAEP-256. */
export function encryptCard (card: CardInput, key: Pick<GatewayKey, 'id' | 'public_key'>): CardEnvelope {
  const aesKey = randomBytes(32)
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', aesKey, iv)
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(card), 'utf8'), cipher.final()])
  return {
    key_id: key.id,
    alg: 'RSA-OAEP-256+A256GCM',
    encrypted_key: Buffer.from(rsaPublic(key.public_key).encrypt(aesKey)).toString('base64'),
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64')
  }
}
