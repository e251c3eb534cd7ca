// Encrypts a card for the gateway the way the protocol says, with node:crypto directly.
import { createCipheriv, publicEncrypt, randomBytes, constants, type KeyObject } from 'node:crypto'

export interface TestCard { number: string, exp_month: number, exp_year: number, cvc: string, holder?: string }

export const card = (number: string, extra: Partial<TestCard> = {}): TestCard =>
  ({ number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: '123', ...extra })

export function encryptCard (key: { id: string, public_key: string | KeyObject }, value: unknown) {
  const aesKey = randomBytes(32)
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', aesKey, iv)
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value)), cipher.final()])
  return {
    key_id: key.id,
    alg: 'RSA-OAEP-256+A256GCM',
    encrypted_key: publicEncrypt({ key: key.public_key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, aesKey).toString('base64'),
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64')
  }
}
