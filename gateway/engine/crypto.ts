// The gateway's crypto provider: node:crypto behind a small interface, so the engine never
// reaches for a crypto API directly and a test can substitute a deterministic provider.
import {
  createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, randomBytes, sign, verify,
  timingSafeEqual, createDecipheriv, createHash, constants, type KeyObject
} from 'node:crypto'

export interface CryptoProvider {
  hmacSha256 (secret: string | Buffer, data: Buffer | string): Buffer
  rsaSha256Sign (privateKeyPem: string, data: Buffer | string): Buffer
  rsaSha256Verify (publicKeyPem: string, data: Buffer | string, signature: Buffer): boolean
  /** RSA-OAEP with SHA-256 (for both the OAEP digest and MGF1). */
  rsaOaepDecrypt (privateKeyPem: string, data: Buffer): Buffer
  /**
   * The same two private-key operations, async: a provider may run them off the event loop
   * (gateway/crypto/worker-pool.ts). Without them, the engine uses the sync forms.
   */
  rsaOaepDecryptAsync?: (privateKeyPem: string, data: Buffer) => Promise<Buffer>
  rsaSha256SignAsync?: (privateKeyPem: string, data: Buffer | string) => Promise<Buffer>
  aes256GcmDecrypt (key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer): Buffer
  sha256 (data: Buffer | string): Buffer
  randomBytes (n: number): Buffer
  generateRsaKeyPair (): { publicKeyPem: string, privateKeyPem: string }
}

/**
 * `provider` with what its async forms give made native promises. Callers tell a promise from a
 * value by `instanceof Promise` (an HMAC answer is signed at once, with no promise to wait for), so
 * a thenable of another library would be read as the value itself. (A provider is a plain object of
 * functions, as nodeCrypto is.)
 */
export function withNativePromises (provider: CryptoProvider): CryptoProvider {
  const { rsaOaepDecryptAsync: decrypt, rsaSha256SignAsync: sign } = provider
  if (decrypt === undefined && sign === undefined) return provider
  const native = <T>(value: Promise<T>): Promise<T> => value instanceof Promise ? value : Promise.resolve(value)
  return {
    ...provider,
    ...(decrypt === undefined ? {} : { rsaOaepDecryptAsync: (pem: string, data: Buffer) => native(decrypt.call(provider, pem, data)) }),
    ...(sign === undefined ? {} : { rsaSha256SignAsync: (pem: string, data: Buffer | string) => native(sign.call(provider, pem, data)) })
  }
}

/** A value now, or the promise of it: what a signature made at once or on the worker pool gives. */
export type Soon<T> = T | Promise<T>

/** `then` of a value now (no promise, no microtask turn) or once it comes. */
export function whenReady<T, U> (value: Soon<T>, then: (value: T) => U): Soon<U> {
  return value instanceof Promise ? value.then(then) : then(value)
}

/**
 * An RSA-SHA256 signature through the provider's async form when it has one (the gateway's worker
 * pool, off the event loop), else at once with no promise: the same bytes either way (PKCS#1 v1.5
 * is deterministic).
 */
export function rsaSha256SignSoon (crypto: CryptoProvider, privateKeyPem: string, data: Buffer | string): Soon<Buffer> {
  return crypto.rsaSha256SignAsync !== undefined ? crypto.rsaSha256SignAsync(privateKeyPem, data) : crypto.rsaSha256Sign(privateKeyPem, data)
}

export const nodeCrypto: CryptoProvider = {
  hmacSha256: (secret, data) => createHmac('sha256', secret).update(data).digest(),
  // For RSA keys node's sign() uses RSASSA-PKCS1-v1_5, exactly what `openssl dgst -sha256 -sign` makes.
  rsaSha256Sign: (pem, data) => sign('sha256', toBuffer(data), { key: parsedKey(pem, 'private'), padding: constants.RSA_PKCS1_PADDING }),
  rsaSha256Verify: (pem, data, signature) => {
    try {
      return verify('sha256', toBuffer(data), { key: parsedKey(pem, 'public'), padding: constants.RSA_PKCS1_PADDING }, signature)
    } catch {
      return false
    }
  },
  rsaOaepDecrypt: (pem, data) => privateDecrypt({ key: parsedKey(pem, 'private'), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, data),
  aes256GcmDecrypt: (key, iv, ciphertext, tag) => {
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()])
  },
  sha256: (data) => createHash('sha256').update(data).digest(),
  randomBytes: (n) => randomBytes(n),
  generateRsaKeyPair: () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    return {
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    }
  }
}

// Parsing a PEM key costs several times the RSA operation it serves (a card envelope, an RSA
// signature), so each key is parsed once. Keys are few (gateway keys, merchants' public keys);
// the bound only keeps a stream of distinct keys from growing the cache without end.
const parsedKeys = { private: new Map<string, KeyObject>(), public: new Map<string, KeyObject>() }

function parsedKey (pem: string, kind: 'private' | 'public'): KeyObject {
  const cache = parsedKeys[kind]
  let key = cache.get(pem)
  if (key === undefined) {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem)
    if (cache.size >= 256) cache.clear()
    cache.set(pem, key)
  }
  return key
}

function toBuffer (data: Buffer | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data
}

/** Constant-time equality of two byte strings of possibly different length. */
export function safeEqual (a: Buffer, b: Buffer): boolean {
  // Compare digests so that the length of the expected value does not leak through timing.
  const da = createHash('sha256').update(a).digest()
  const db = createHash('sha256').update(b).digest()
  return timingSafeEqual(da, db) && a.length === b.length
}

/**
 * Constant-time equality of two digests whose length is no secret (an HMAC-SHA256 is 32 bytes
 * whatever its key). safeEqual hashes both sides to hide a length, which costs more than the
 * HMAC itself; a request's signature check needs no such cover.
 */
export function equalDigests (a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

// One PEM block of a public key, SPKI or PKCS#1: createPublicKey() also takes a private key (and
// derives its public half), and reads the first of several blocks, so a private key sent as
// rsa_public_key was stored and shown back to every admin. Explanatory text around the block is
// allowed (RFC 7468 §5.2; the published test-vector key has a line of it) but not kept.
const PUBLIC_KEY_BLOCK = /-----BEGIN (RSA )?PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1PUBLIC KEY-----/

export const MIN_RSA_BITS = 2048

/** Reads a merchant's PEM RSA public key: the PEM block to keep, or what is wrong with it. */
export function readRsaPublicKey (text: string): { pem: string } | { problem: string } {
  if (/PRIVATE KEY/.test(text)) return { problem: 'is a private key; send only its public half (openssl rsa -in key.pem -pubout), and keep the private key to yourself' }
  const block = PUBLIC_KEY_BLOCK.exec(text)
  if (block === null || text.split('-----BEGIN ').length !== 2) {
    return { problem: 'must hold exactly one PEM block, -----BEGIN PUBLIC KEY----- (SPKI) or -----BEGIN RSA PUBLIC KEY----- (PKCS#1)' }
  }
  let key: KeyObject
  try {
    key = createPublicKey({ key: block[0], format: 'pem' })
  } catch {
    return { problem: 'is not a readable PEM public key' }
  }
  if (key.asymmetricKeyType !== 'rsa') return { problem: `is not an RSA key (it is ${key.asymmetricKeyType ?? 'unknown'})` }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (bits < MIN_RSA_BITS) return { problem: `has ${bits} bits; at least ${MIN_RSA_BITS} are needed` }
  return { pem: `${block[0]}\n` }
}

/** The SPKI PEM public half of a PEM key (public or private), or null when it is no key. */
export function publicHalf (pem: string): string | null {
  try {
    return createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString()
  } catch {
    return null
  }
}
