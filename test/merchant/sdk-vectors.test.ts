// The SDK's own signing (node-rsa for RSA, not the gateway's code) reproduces the protocol's
// published vectors byte for byte, checks the answer and notification vectors, and refuses them
// once a byte changes. buildSignedRequest makes requests the gateway accepts, or refuses for
// exactly the breakage asked for.
import t from 'tap'
import {
  answerStringToSign, buildSignedRequest, PaylabSignatureError, requestStringToSign, verifyNotification, type Breakage
} from '../../merchant/sdk/index.js'
import { signingHeaders, verifySigned } from '../../merchant/sdk/signing.js'
import { answerVectors, requestVectors, vectorKeys, vectors, type AnswerVector } from '../helpers/vectors.js'
import { gatewayBench } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

const creds = (type: 'HMAC-SHA256' | 'RSA-SHA256') => ({
  merchantId: vectors.merchant.id, signatureType: type, secret: vectors.merchant.hmac_secret, privateKey: vectorKeys.privateKeyPem
})

const keys = new Map([[vectors.gateway_key.id, { id: vectors.gateway_key.id, public_key: vectorKeys.publicKeyPem }]])

const answerHeaders = (v: AnswerVector, signature = v.signature): Record<string, string> => ({
  'paylab-timestamp': v.timestamp,
  'paylab-nonce': v.nonce,
  'paylab-signature-type': v.signature_type,
  'paylab-signature': signature,
  ...(v.key_id === null ? {} : { 'paylab-key-id': v.key_id })
})

for (const v of requestVectors) {
  t.test(`request vector ${v.signature_type} ${v.method} ${v.path}`, async (t) => {
    t.equal(requestStringToSign(v.method, v.path, v.timestamp, v.nonce, Buffer.from(v.body)).toString('utf8'), v.string_to_sign)
    const headers = signingHeaders(creds(v.signature_type), v.method, v.path, Buffer.from(v.body), Number(v.timestamp), v.nonce)
    t.same(headers, {
      'Paylab-Merchant': v.merchant,
      'Paylab-Timestamp': v.timestamp,
      'Paylab-Nonce': v.nonce,
      'Paylab-Signature-Type': v.signature_type,
      'Paylab-Signature': v.signature
    })
  })
}

for (const v of answerVectors) {
  t.test(`answer vector ${v.signature_type}: verifies, and not once changed`, async (t) => {
    t.equal(answerStringToSign(v.timestamp, v.nonce, Buffer.from(v.body)).toString('utf8'), v.string_to_sign)
    const opts = { secret: vectors.merchant.hmac_secret, keys, toleranceSec: 300, nowSec: Number(v.timestamp) }
    t.doesNotThrow(() => verifySigned(Buffer.from(v.body), answerHeaders(v), opts))
    t.throws(() => verifySigned(Buffer.from(v.body.replace('succeeded', 'failed')), answerHeaders(v), opts), PaylabSignatureError)
    t.throws(() => verifySigned(Buffer.from(v.body), answerHeaders(v), { ...opts, nowSec: Number(v.timestamp) + 301 }), PaylabSignatureError, 'stale')
    t.throws(() => verifySigned(Buffer.from(v.body), answerHeaders(v), { ...opts, secret: 'other', keys: new Map() }), PaylabSignatureError, 'no key')
  })
}

t.test('notification vector: verifyNotification returns the event; a changed byte is refused', async (t) => {
  const v = vectors.hmac_notification
  const headers = { ...answerHeaders(v), 'paylab-event-id': v.event_id, 'paylab-delivery-attempt': v.delivery_attempt }
  const now = () => Number(v.timestamp) * 1000
  const event = verifyNotification(v.body, headers, { secret: vectors.merchant.hmac_secret, now })
  t.equal(event.id, v.event_id)
  t.equal(event.type, 'payment.succeeded')
  t.throws(() => verifyNotification(v.body.replace('5000', '5001'), headers, { secret: vectors.merchant.hmac_secret, now }), PaylabSignatureError)
  t.throws(() => verifyNotification(v.body, { ...headers, 'paylab-event-id': 'evt_other' }, { secret: vectors.merchant.hmac_secret, now }), PaylabSignatureError, 'the event id header must match')
})

t.test('buildSignedRequest: the gateway accepts it, and refuses each breakage for what it is', async (t) => {
  const b = await gatewayBench(t, { gateway: PAYLAB_ONLY })
  const signer = { merchantId: b.merchant.id, signatureType: 'HMAC-SHA256' as const, secret: b.merchant.secret }
  const send = async (broken?: Breakage) => {
    const { headers, body } = buildSignedRequest(signer, { method: 'GET', path: '/v1/payments?limit=1', now: Date.now(), ...(broken === undefined ? {} : { broken }) })
    const res = await fetch(`${b.gw.base}/v1/payments?limit=1`, { headers, ...(body === '' ? {} : { body }) })
    return { status: res.status, body: await res.json() }
  }
  const ok = await send()
  t.equal(ok.status, 200)
  t.equal(ok.body.object, 'list')
  const bad = await send('bad_signature')
  t.same([bad.status, bad.body.error.code], [401, 'PAYLAB_SIGNATURE_INVALID'])
  const wrong = await send('wrong_key')
  t.same([wrong.status, wrong.body.error.code], [401, 'PAYLAB_SIGNATURE_INVALID'])
  const stale = await send('stale_timestamp')
  t.same([stale.status, stale.body.error.code], [401, 'PAYLAB_TIMESTAMP_OUT_OF_RANGE'])
  const { headers, body } = buildSignedRequest(signer, { method: 'POST', path: '/v1/payments', body: { merchant_order_id: 'order-built', amount: 1999, currency: 'USD', method: { type: 'wallet' } }, now: Date.now() })
  const created = await fetch(`${b.gw.base}/v1/payments`, { method: 'POST', headers, body })
  t.equal(created.status, 201, 'a body is signed byte for byte as sent')
})
