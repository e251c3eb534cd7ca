// The card envelope: a random AES-256-GCM key encrypts the card JSON and is wrapped with
// RSA-OAEP (SHA-256) under a gateway key. See docs/protocol.md#card-encryption.
import { CARD_ENCRYPTION_INVALID } from './errors.js'
import type { CryptoProvider } from './crypto.js'
import type { PlainCard } from './cards.js'

export const ENVELOPE_ALG = 'RSA-OAEP-256+A256GCM'

export interface CardEnvelope {
  key_id: string
  alg: string
  encrypted_key: string
  iv: string
  ciphertext: string
  tag: string
}

export function openEnvelope (crypto: CryptoProvider, envelope: CardEnvelope, privateKeyFor: (keyId: string) => string | undefined): PlainCard {
  const pem = envelopeKey(envelope, privateKeyFor)
  let key: Buffer
  try {
    key = crypto.rsaOaepDecrypt(pem, Buffer.from(envelope.encrypted_key, 'base64'))
  } catch {
    throw CARD_ENCRYPTION_INVALID(undefined, { field: 'method.card.encrypted' })
  }
  return readCard(crypto, key, envelope)
}

/**
 * openEnvelope with the RSA unwrap (the ~0.6 ms that dominates a card create) through the
 * provider's async form when it has one, which may run it off the event loop. Rejects with the
 * error openEnvelope would throw.
 */
export async function openEnvelopeAsync (crypto: CryptoProvider, envelope: CardEnvelope, privateKeyFor: (keyId: string) => string | undefined): Promise<PlainCard> {
  const unwrap = crypto.rsaOaepDecryptAsync
  if (unwrap === undefined) return openEnvelope(crypto, envelope, privateKeyFor)
  const pem = envelopeKey(envelope, privateKeyFor)
  let key: Buffer
  try {
    key = await unwrap(pem, Buffer.from(envelope.encrypted_key, 'base64'))
  } catch {
    throw CARD_ENCRYPTION_INVALID(undefined, { field: 'method.card.encrypted' })
  }
  return readCard(crypto, key, envelope)
}

/** A card opened ahead of the operation that uses it (see Engine.createPayment): the card, or why not. */
export type OpenedEnvelope = { envelope: CardEnvelope, card: PlainCard } | { envelope: CardEnvelope, error: unknown }

export function openedEnvelope (crypto: CryptoProvider, envelope: CardEnvelope, privateKeyFor: (keyId: string) => string | undefined): Promise<OpenedEnvelope> {
  return openEnvelopeAsync(crypto, envelope, privateKeyFor).then((card) => ({ envelope, card }), (error: unknown) => ({ envelope, error }))
}

/** The private key of the envelope's key_id, once its alg is checked. */
function envelopeKey (envelope: CardEnvelope, privateKeyFor: (keyId: string) => string | undefined): string {
  if (envelope.alg !== ENVELOPE_ALG) {
    throw CARD_ENCRYPTION_INVALID(`alg must be ${ENVELOPE_ALG}`, { field: 'method.card.encrypted.alg' })
  }
  const pem = privateKeyFor(envelope.key_id)
  if (pem === undefined) {
    throw CARD_ENCRYPTION_INVALID(`key_id ${JSON.stringify(envelope.key_id)} is not a gateway key; fetch GET /v1/keys`, { field: 'method.card.encrypted.key_id' })
  }
  return pem
}

/** The card under the unwrapped AES key. */
function readCard (crypto: CryptoProvider, key: Buffer, envelope: CardEnvelope): PlainCard {
  let json: string
  try {
    const iv = Buffer.from(envelope.iv, 'base64')
    if (key.length !== 32 || iv.length !== 12) throw new Error('bad key or iv length')
    json = crypto.aes256GcmDecrypt(key, iv, Buffer.from(envelope.ciphertext, 'base64'), Buffer.from(envelope.tag, 'base64')).toString('utf8')
  } catch {
    throw CARD_ENCRYPTION_INVALID(undefined, { field: 'method.card.encrypted' })
  }
  let card: unknown
  try {
    card = JSON.parse(json)
  } catch {
    throw CARD_ENCRYPTION_INVALID('method.card.encrypted does not decrypt to JSON {number, exp_month, exp_year, cvc, holder?}', { field: 'method.card.encrypted' })
  }
  // An array is an object to typeof, and would fail later as a card field (VALIDATION_FAILED).
  if (card === null || typeof card !== 'object' || Array.isArray(card)) {
    throw CARD_ENCRYPTION_INVALID('method.card.encrypted does not decrypt to a JSON object', { field: 'method.card.encrypted' })
  }
  return card as PlainCard
}
