// How answers are signed: with the merchant secret for HMAC requests, with the gateway key (named
// by Paylab-Key-Id) for RSA ones, refusals included; and every answer carries Paylab-Request-Id.
import t from 'tap'
import { PAYLAB_ONLY, build, sharedGateway, type TestGateway } from '../helpers/build.js'
import { answerVerifies, signRequest } from '../helpers/signer.js'
import { vectorKeys } from '../helpers/vectors.js'

// One gateway for the file, a merchant of its own for each test; the test about the injected
// clock builds its own.
const gateway = sharedGateway(PAYLAB_ONLY)

let rsaShops = 0
async function rsaMerchant (gw: TestGateway, extra: Record<string, unknown> = {}) {
  const id = `rsa-shop-${++rsaShops}`
  const res = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id, rsa_public_key: vectorKeys.publicKeyPem, ...extra } })
  if (res.statusCode !== 201) throw new Error(`creating a merchant answered ${res.statusCode}`)
  return { merchant: id, secret: res.json().hmac_secret as string, privateKeyPem: vectorKeys.privateKeyPem }
}

async function listedKeys (gw: TestGateway): Promise<Array<{ id: string, status: string, public_key: string }>> {
  const res = await gw.signed({ method: 'GET', path: '/v1/keys' })
  if (res.statusCode !== 200) throw new Error(`GET /v1/keys answered ${res.statusCode}`)
  return res.json().data
}

t.test('an HMAC request gets an HMAC answer under the merchant secret', async (t) => {
  const gw = await gateway(t)
  const res = await gw.signed({ method: 'GET', path: '/v1/payments' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['paylab-signature-type'], 'HMAC-SHA256')
  t.equal(res.headers['paylab-key-id'], undefined)
  t.match(res.headers['paylab-nonce'], /^[A-Za-z0-9_-]{16,64}$/)
  t.ok(Math.abs(Number(res.headers['paylab-timestamp']) - Date.now() / 1000) < 5, 'stamped with the gateway clock')
  t.ok(answerVerifies(res.headers, res.body, { secret: gw.demo.secret }))
  t.notOk(answerVerifies(res.headers, res.body, { secret: 'another-secret-0123456789' }))
  const next = await gw.signed({ method: 'GET', path: '/v1/payments' })
  t.not(next.headers['paylab-nonce'], res.headers['paylab-nonce'], 'every answer has its own nonce')
})

t.test('the answer timestamp comes from the injected clock', async (t) => {
  const T = 1_767_225_600
  const gw = await build(t, { ...PAYLAB_ONLY, clock: { now: () => T * 1000 + 999 } })
  const res = await gw.signed({ method: 'GET', path: '/v1/payments', timestamp: T })
  t.equal(res.headers['paylab-timestamp'], String(T))
  t.ok(answerVerifies(res.headers, res.body, { secret: gw.demo.secret }))
})

t.test('an RSA request with the merchant key gets an answer signed with the gateway key', async (t) => {
  const gw = await gateway(t)
  const rsa = await rsaMerchant(gw)
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', type: 'RSA-SHA256', body: gw.cardPayment('4242424242424242') }, rsa)
  t.equal(res.statusCode, 201, res.body)
  t.equal(res.json().merchant_id, rsa.merchant)
  t.equal(res.headers['paylab-signature-type'], 'RSA-SHA256')
  const [active] = await listedKeys(gw)
  t.equal(res.headers['paylab-key-id'], active?.id, 'names the active key of GET /v1/keys')
  t.ok(answerVerifies(res.headers, res.body, { publicKeyPem: active?.public_key }))
  t.notOk(answerVerifies(res.headers, `${res.body} `, { publicKeyPem: active?.public_key }), 'a changed body does not verify')

  const hmac = await gw.signed({ method: 'GET', path: '/v1/payments' }, rsa)
  t.equal(hmac.headers['paylab-signature-type'], 'HMAC-SHA256', 'the same merchant signing with HMAC gets HMAC')
  t.ok(answerVerifies(hmac.headers, hmac.body, { secret: rsa.secret }))
})

t.test('refusals to an identified merchant are signed too', async (t) => {
  const gw = await gateway(t)
  const notFound = await gw.signed({ method: 'GET', path: '/v1/payments/pay_doesnotexist0000000' })
  t.equal(notFound.json().error.code, 'PAYLAB_PAYMENT_NOT_FOUND')
  t.ok(answerVerifies(notFound.headers, notFound.body, { secret: gw.demo.secret }))

  const invalid = await gw.signed({ method: 'POST', path: '/v1/payments', body: { amount: 'ten' } })
  t.equal(invalid.json().error.code, 'PAYLAB_VALIDATION_FAILED')
  t.ok(answerVerifies(invalid.headers, invalid.body, { secret: gw.demo.secret }))

  const rsa = await rsaMerchant(gw)
  const [active] = await listedKeys(gw)
  const forged = await gw.signed({ method: 'GET', path: '/v1/payments', type: 'RSA-SHA256', headers: { 'paylab-signature': 'AAAA' } }, rsa)
  t.equal(forged.json().error.code, 'PAYLAB_SIGNATURE_INVALID')
  t.equal(forged.headers['paylab-key-id'], active?.id)
  t.ok(answerVerifies(forged.headers, forged.body, { publicKeyPem: active?.public_key }), 'an RSA refusal is RSA-signed')
})

t.test('an invalid signature type is answered with the merchant\'s answer_signature_type', async (t) => {
  const gw = await gateway(t)
  const rsa = await rsaMerchant(gw, { answer_signature_type: 'RSA-SHA256' })
  const res = await gw.signed({ method: 'GET', path: '/v1/payments', headers: { 'paylab-signature-type': 'RSA-SHA512' } }, rsa)
  t.equal(res.json().error.code, 'PAYLAB_AUTH_HEADER_INVALID')
  t.equal(res.headers['paylab-signature-type'], 'RSA-SHA256')
  const [active] = await listedKeys(gw)
  t.ok(answerVerifies(res.headers, res.body, { publicKeyPem: active?.public_key }))
})

t.test('every answer carries Paylab-Request-Id, and errors quote it', async (t) => {
  const gw = await gateway(t)
  const payBody = '{"user_id": "1", "order_id": "req-id-1", "amount": 1.0, "currency": "USD"}'
  const answers = [
    await gw.app.inject({ method: 'GET', url: '/healthz' }),
    await gw.app.inject({ method: 'GET', url: '/openapi.json' }),
    await gw.app.inject({ method: 'GET', url: '/no/such/route' }),
    await gw.app.inject({ method: 'GET', url: '/v1/payments' }),
    await gw.signed({ method: 'GET', path: '/v1/payments' }),
    await gw.signed({ method: 'GET', path: '/v1/payments' }, { merchant: 'nobody', secret: 'x' }),
    await gw.app.inject({ method: 'GET', url: '/admin/merchants' }),
    await gw.admin({ method: 'GET', url: '/admin/merchants' }),
    await gw.app.inject({ method: 'POST', url: '/pay', headers: { 'content-type': 'application/json', signature: '00' }, payload: payBody }),
    await gw.app.inject({ method: 'POST', url: '/v1/payments', headers: { ...signRequest(gw.demo, { method: 'POST', path: '/v1/payments', body: '{' }).headers }, payload: '{' })
  ]
  const ids = answers.map((res) => res.headers['paylab-request-id'])
  t.equal(new Set(ids).size, answers.length, 'present and distinct on all of them')
  for (const [i, res] of answers.entries()) {
    t.match(ids[i], /^req_[A-Za-z0-9]{16}$/)
    if (res.statusCode < 400) continue
    const body = res.json()
    t.equal(body.error?.request_id ?? body.request_id, ids[i], `${res.statusCode} ${String(body.error?.code ?? body.code)} quotes its id`)
  }
  t.equal(answers.filter((res) => res.statusCode >= 400).length, 6, 'six of them are refusals')
})
