// Credentials and keys end to end: an HMAC merchant and an RSA merchant (public key registered
// through the admin API), gateway keys fetched or pinned, a key rotation picked up, and the card
// envelope that the SDK makes opened by the gateway.
import t, { type Test } from 'tap'
import { openEnvelope } from '../../gateway/engine/envelope.js'
import { encryptCard, PaylabSignatureError, type GatewayKey } from '../../merchant/sdk/index.js'
import { distinctKeysCrypto, spareKeyPair } from '../helpers/fixture-keys.js'
import { CARD, gatewayBench, type GatewayBench } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'
import { recordingFetch } from '../helpers/recording-fetch.js'

const card = (order: string, number = CARD.number) => ({ merchant_order_id: order, amount: 1999, currency: 'USD', method: { type: 'card' as const, card: { ...CARD, number } } })

/** A fetch that also keeps the signing headers of each answer. */
function watching () {
  const answers: Array<{ type: string | null, keyId: string | null }> = []
  const rec = recordingFetch((answer) => {
    answers.push({ type: answer.headers.get('paylab-signature-type'), keyId: answer.headers.get('paylab-key-id') })
    return answer
  })
  return { rec, answers }
}

// The merchant's own key (PKCS#1, as many merchants keep theirs): a published TEST ONLY pair.
const rsaPair = () => spareKeyPair(0, 'pkcs1')

async function rsaMerchant (t: Test, b: GatewayBench, extra: Record<string, unknown> = {}) {
  const { publicKey, privateKey } = rsaPair()
  await b.admin('PATCH', `/admin/merchants/${b.merchant.id}`, { rsa_public_key: publicKey })
  const w = watching()
  const client = b.client({ signatureType: 'RSA-SHA256', privateKey, secret: undefined, fetch: w.rec.fetch, ...extra })
  t.equal(client.options.signatureType, 'RSA-SHA256')
  return { client, ...w }
}

const activeKeyId = (b: GatewayBench): string => (b.gw.engine.keys().data.find((k: any) => k.status === 'active') as GatewayKey).id

t.test('HMAC merchant: requests and answers HMAC-signed; the card key fetched once', async (t) => {
  const b = await gatewayBench(t, { gateway: PAYLAB_ONLY })
  const { rec, answers } = watching()
  const client = b.client({ fetch: rec.fetch })
  const p1 = await client.createPayment(card('order-h1'))
  const p2 = await client.createPayment(card('order-h2'))
  t.same([p1.status, p2.status], ['succeeded', 'succeeded'])
  t.same(rec.lines(), ['GET /v1/keys', 'POST /v1/payments', 'POST /v1/payments'])
  t.ok(rec.sent.every((s) => s.headers['paylab-signature-type'] === 'HMAC-SHA256'))
  t.ok(answers.every((a) => a.type === 'HMAC-SHA256' && a.keyId === null), 'answers HMAC-signed')
})

t.test('RSA merchant: requests signed with its key, answers RSA-signed by the gateway key', async (t) => {
  const b = await gatewayBench(t, { gateway: PAYLAB_ONLY })
  const { client, rec, answers } = await rsaMerchant(t, b)
  const payment = await client.createPayment(card('order-rsa'))
  t.equal(payment.status, 'succeeded')
  t.ok(rec.sent.every((s) => s.headers['paylab-signature-type'] === 'RSA-SHA256'))
  t.ok(answers.length >= 2 && answers.every((a) => a.type === 'RSA-SHA256' && a.keyId === activeKeyId(b)), 'every answer under the active key id')
  t.equal((await client.getPaymentByOrder('order-rsa')).id, payment.id)
  const journal = await b.admin('GET', `/admin/journal?merchant_id=${b.merchant.id}&path=/v1/payments*`)
  t.ok(journal.data.every((e: any) => e.signature.verdict === 'valid'), 'the gateway verified each RSA request')
})

t.test('RSA before the key is registered: the HMAC-signed refusal is readable only with the secret', async (t) => {
  const b = await gatewayBench(t, { gateway: PAYLAB_ONLY })
  const withSecret = b.client({ signatureType: 'RSA-SHA256', privateKey: rsaPair().privateKey })
  const refusal = await withSecret.getPaymentByOrder('nothing').catch((e) => e)
  t.equal(refusal.name, 'PaylabApiError')
  t.equal(refusal.code, 'PAYLAB_SIGNATURE_TYPE_UNAVAILABLE')
  const keyOnly = b.client({ signatureType: 'RSA-SHA256', privateKey: rsaPair().privateKey, secret: undefined })
  t.type(await keyOnly.getPaymentByOrder('nothing').catch((e) => e), PaylabSignatureError, 'nothing to check it with: not trusted')
})

t.test('pinned keys: no key fetch at all; a rotation is not followed', async (t) => {
  const b = await gatewayBench(t, { gateway: { ...PAYLAB_ONLY, crypto: distinctKeysCrypto() } })
  const pinned = b.gw.engine.keys().data.map((k: any) => ({ id: k.id, public_key: k.public_key }))
  const { client, rec } = await rsaMerchant(t, b, { gatewayKeys: pinned })
  t.equal((await client.createPayment(card('order-pin1'))).status, 'succeeded')
  t.same(rec.lines('/v1/keys'), [], 'the pinned key encrypts and verifies')
  await b.admin('POST', '/admin/keys/rotate')
  const err = await client.getPaymentByOrder('order-pin1').catch((e) => e)
  t.type(err, PaylabSignatureError, 'an answer under a key it was not given is refused')
  t.same(rec.lines('/v1/keys'), [], 'and still not fetched: pinning means what it says')
})

t.test('pinned keys that do not match the gateway\'s are refused', async (t) => {
  const b = await gatewayBench(t, { gateway: PAYLAB_ONLY })
  const wrong = spareKeyPair(1)
  const { client } = await rsaMerchant(t, b, { gatewayKeys: [{ id: activeKeyId(b), public_key: wrong.publicKey }] })
  const err = await client.getPaymentByOrder('nothing').catch((e) => e)
  t.type(err, PaylabSignatureError)
  t.match(err.message, /does not verify with gateway key/)
})

t.test('fetched keys: a rotation is picked up with one refetch, and new cards go to the new key', async (t) => {
  const b = await gatewayBench(t, { gateway: { ...PAYLAB_ONLY, crypto: distinctKeysCrypto() } })
  const { client, rec, answers } = await rsaMerchant(t, b)
  const before = await client.createPayment(card('order-rot1'))
  const oldKey = activeKeyId(b)
  const rotated = await b.admin('POST', '/admin/keys/rotate')
  t.not(rotated.id, oldKey)
  const after = await client.createPayment(card('order-rot2'))
  t.same([before.status, after.status], ['succeeded', 'succeeded'])
  t.equal(answers.at(-1)?.keyId, rotated.id, 'answers now come under the new key')
  t.equal(rec.lines('/v1/keys').length, 2, 'fetched once at first, once on the unknown key id')
  const envelopes = rec.sent.filter((s) => s.method === 'POST').map((s) => JSON.parse(s.body).method.card.encrypted.key_id)
  t.equal(envelopes[0], oldKey)
  const third = await client.createPayment(card('order-rot3'))
  t.equal(third.status, 'succeeded')
  t.equal(JSON.parse(rec.sent.at(-1)?.body ?? '{}').method.card.encrypted.key_id, rotated.id, 'the next card is encrypted for the new key')
})

t.test('an HMAC merchant\'s card envelope made for a retiring key still opens', async (t) => {
  const b = await gatewayBench(t, { gateway: { ...PAYLAB_ONLY, crypto: distinctKeysCrypto() } })
  const client = b.client()
  await client.refreshKeys()
  const oldKey = activeKeyId(b)
  await b.admin('POST', '/admin/keys/rotate')
  t.equal((await client.createPayment(card('order-old-key'))).method.card?.last4, '4242', 'retiring key accepted')
  const keys = await client.refreshKeys()
  t.same(keys.map((k) => k.status).sort(), ['active', 'retiring'])
  t.ok(keys.some((k) => k.id === oldKey && k.status === 'retiring'))
})

t.test('the SDK\'s card envelope opens at the gateway to the very card', async (t) => {
  // The gateway starts with a key pair the test holds, so that the test can open what is sealed for it.
  const pair = spareKeyPair(3)
  const b = await gatewayBench(t, { gateway: { ...PAYLAB_ONLY, config: { initialKey: { publicKeyPem: pair.publicKey, privateKeyPem: pair.privateKey } } } })
  const key = b.gw.engine.keys().data[0] as GatewayKey
  t.equal(key.public_key, pair.publicKey, 'the gateway\'s key is the one it was given')
  const envelope = encryptCard({ ...CARD, holder: 'Ada Lovelace' }, key)
  t.equal(envelope.key_id, key.id)
  t.equal(envelope.alg, 'RSA-OAEP-256+A256GCM')
  const opened = openEnvelope(b.gw.engine.crypto, envelope, (id) => id === key.id ? pair.privateKey : undefined)
  t.same(opened, { ...CARD, holder: 'Ada Lovelace' })
  t.not(encryptCard(CARD, key).ciphertext, encryptCard(CARD, key).ciphertext, 'a fresh key and iv each time')
  const client = b.client()
  const paid = await client.createPayment(card('order-env', '5555555555554444'))
  t.same(paid.method.card && { brand: paid.method.card.brand, last4: paid.method.card.last4, exp_month: paid.method.card.exp_month }, { brand: 'mastercard', last4: '4444', exp_month: 12 })
  const declined = await client.createPayment(card('order-env-2', '4000000000009995'))
  t.equal(declined.failure?.code, 'insufficient_funds', 'the number inside decides the outcome')
})
