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
  if (envelope.alg !== ENVELOPE_ALG) {
    throw CARD_ENCRYPTION_INVALID(`alg must be ${ENVELOPE_ALG}`, { field: 'method.card.encrypted.alg' })
  }
  const pem = privateKeyFor(envelope.key_id)
  if (pem === undefined) {
    throw CARD_ENCRYPTION_INVALID(`key_id ${JSON.stringify(envelope.key_id)} is not a gateway key; fetch GET /v1/keys`, { field: 'method.card.encrypted.key_id' })
  }
  let json: string
  try {
    const key = crypto.rsaOaepDecrypt(pem, Buffer.from(envelope.encrypted_key, 'base64'))
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
