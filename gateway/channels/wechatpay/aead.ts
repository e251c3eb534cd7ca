// AEAD_AES_256_GCM as WeChat Pay uses it for notification resources and /v3/certificates: the
// APIv3 key (32 bytes) is the key, `nonce` (12 characters) the IV, `associated_data` the AAD, and
// the ciphertext is base64 of the encrypted bytes followed by the 16-byte tag.
import { createCipheriv, createDecipheriv } from 'node:crypto'

export interface AeadResource { algorithm: 'AEAD_AES_256_GCM', ciphertext: string, associated_data: string, nonce: string }

export function aeadEncrypt (apiv3Key: string, nonce: string, associatedData: string, plaintext: string): AeadResource {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiv3Key), Buffer.from(nonce))
  cipher.setAAD(Buffer.from(associatedData))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext: body.toString('base64'), associated_data: associatedData, nonce }
}

export function aeadDecrypt (apiv3Key: string, resource: Pick<AeadResource, 'ciphertext' | 'associated_data' | 'nonce'>): string {
  const data = Buffer.from(resource.ciphertext, 'base64')
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiv3Key), Buffer.from(resource.nonce))
  decipher.setAAD(Buffer.from(resource.associated_data))
  decipher.setAuthTag(data.subarray(data.length - 16))
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8')
}
