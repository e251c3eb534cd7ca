// The fixed vectors of docs/channels/wechatpay.md (docs/channels/wechatpay-vectors.json), checked
// three ways: the gateway's own functions reproduce them, the official wechatpay-axios-plugin's
// helpers verify and decrypt them, and the gateway accepts the vector's Authorization shape.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createPublicKey } from 'node:crypto'
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin'
import { aeadDecrypt, aeadEncrypt } from '../../gateway/channels/wechatpay/aead.js'
import { answerMessage, parseAuthorization, requestMessage, rsaSign } from '../../gateway/channels/wechatpay/signing.js'
import { nodeCrypto } from '../../gateway/engine/crypto.js'

const v = JSON.parse(readFileSync(new URL('../../docs/channels/wechatpay-vectors.json', import.meta.url), 'utf8'))
const privateKey = readFileSync(new URL('../../docs/vectors/test-only-rsa-private.pem', import.meta.url), 'utf8')
const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString()

t.test('request strings to sign and signatures', async (t) => {
  for (const r of [v.request, v.get_request]) {
    const message = requestMessage(r.method, r.path, r.timestamp, r.nonce, r.body)
    t.equal(message, r.string_to_sign, `${r.method}: the gateway builds the documented string`)
    t.equal(message, Formatter.request(r.method, r.path, r.timestamp, r.nonce, r.body), `${r.method}: as the SDK builds it`)
    t.equal(rsaSign(nodeCrypto, privateKey, message), r.signature)
    t.ok(Rsa.verify(message, r.signature, publicKey), 'the SDK verifies it')
  }
  const fields = parseAuthorization(v.request.authorization)
  t.match(fields, { mchid: '1230000109', signature: v.request.signature, timestamp: v.request.timestamp, nonce_str: v.request.nonce })
})

t.test('answer string to sign', async (t) => {
  const a = v.answer
  t.equal(answerMessage(a.timestamp, a.nonce, a.body), a.string_to_sign)
  t.equal(Formatter.response(a.timestamp, a.nonce, a.body), a.string_to_sign)
  t.equal(rsaSign(nodeCrypto, privateKey, a.string_to_sign), a.signature)
})

t.test('notification resource: AEAD_AES_256_GCM', async (t) => {
  const n = v.notification
  t.equal(Aes.AesGcm.decrypt(n.resource.ciphertext, n.apiv3_key, n.resource.nonce, n.resource.associated_data), n.plaintext, 'the SDK decrypts the vector')
  t.equal(aeadDecrypt(n.apiv3_key, n.resource), n.plaintext, 'so does the gateway')
  t.same(aeadEncrypt(n.apiv3_key, n.resource.nonce, n.resource.associated_data, n.plaintext), { algorithm: 'AEAD_AES_256_GCM', ciphertext: n.resource.ciphertext, associated_data: 'transaction', nonce: n.resource.nonce })
})
