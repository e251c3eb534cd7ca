// Published TEST ONLY RSA key pairs (test/fixtures/test-only-rsa-keys.pem) for tests that need
// keys that differ from each other (a rotation, a merchant key beside the gateway's, a WeChat Pay
// merchant and its platform): RSA-2048 generation costs 100-300 ms of CPU per key, and a suite
// made dozens. None of them is the suite's gateway key (test-only-gateway-key.pem) nor a
// published sandbox key (gateway/engine/sandbox-key.ts).
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { nodeCrypto, type CryptoProvider } from '../../gateway/engine/crypto.js'

export interface KeyPair { publicKeyPem: string, privateKeyPem: string }

/** Keys 0..PROVIDED-1 are what distinctKeysCrypto hands out; the rest are spareKeyPair's. */
const PROVIDED = 12

let pairs: KeyPair[] | undefined
function all (): KeyPair[] {
  pairs ??= (readFileSync(new URL('../fixtures/test-only-rsa-keys.pem', import.meta.url), 'utf8').match(/-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----\n/g) ?? []).map((privateKeyPem) => ({
    privateKeyPem,
    publicKeyPem: createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString()
  }))
  return pairs
}

/**
 * A crypto provider (node:crypto otherwise) whose generateRsaKeyPair hands out the fixture keys
 * in turn: every key one gateway makes differs from the others, as generated ones would. It
 * throws once they are used up rather than hand out a key twice.
 */
export function distinctKeysCrypto (): CryptoProvider {
  let next = 0
  return {
    ...nodeCrypto,
    generateRsaKeyPair: () => {
      const pair = next < PROVIDED ? all()[next++] : undefined
      if (pair === undefined) throw new Error(`distinctKeysCrypto: all ${PROVIDED} fixture keys are used; add keys to test/fixtures/test-only-rsa-keys.pem`)
      return pair
    }
  }
}

/**
 * A key pair none of distinctKeysCrypto's and none of the gateways' (a merchant's own key, or a
 * wrong one), by index 0..3; `pkcs1` gives its private key as "BEGIN RSA PRIVATE KEY".
 */
export function spareKeyPair (index: number, format: 'pkcs8' | 'pkcs1' = 'pkcs8'): { publicKey: string, privateKey: string } {
  const pair = all()[PROVIDED + index]
  if (pair === undefined) throw new Error(`spareKeyPair: no spare key ${index}`)
  const privateKey = format === 'pkcs8' ? pair.privateKeyPem : createPrivateKey(pair.privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString()
  return { publicKey: pair.publicKeyPem, privateKey }
}
