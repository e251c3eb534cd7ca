// Every way a /v1 request is refused, with its code and status, and what the refusal tells.
import t from 'tap'
import { createHmac } from 'node:crypto'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { PAYLAB_ONLY, build, sharedGateway, type TestGateway } from '../helpers/build.js'
import { answerVerifies, nonce, signRequest } from '../helpers/signer.js'
import { vectorKeys } from '../helpers/vectors.js'

const T = 1_767_225_600
const atT = () => new VirtualClock(T * 1000)
// Each test signs as a merchant of its own on the file's gateway; the ones about a clock or a
// config build their own.
const gateway = sharedGateway(PAYLAB_ONLY)

const errorOf = (res: { statusCode: number, json: () => any }) => ({ status: res.statusCode, ...res.json().error })

async function merchant (gw: TestGateway, body: Record<string, unknown>) {
  const res = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: body })
  if (res.statusCode !== 201) throw new Error(`creating a merchant answered ${res.statusCode}`)
  const m = res.json()
  return { merchant: m.id as string, secret: m.hmac_secret as string }
}

t.test('missing signing headers are named', async (t) => {
  const gw = await gateway(t)
  const none = await gw.app.inject({ method: 'GET', url: '/v1/payments' })
  t.match(errorOf(none), { status: 401, code: 'PAYLAB_AUTH_HEADERS_MISSING' })
  t.same(none.json().error.headers, ['Paylab-Merchant', 'Paylab-Timestamp', 'Paylab-Nonce', 'Paylab-Signature-Type', 'Paylab-Signature'])
  t.equal(none.headers['paylab-signature'], undefined, 'nobody to sign an answer for')

  const { headers: { 'paylab-nonce': _n, ...headers } } = signRequest(gw.demo, { method: 'GET', path: '/v1/payments' })
  const partial = await gw.app.inject({ method: 'GET', url: '/v1/payments', headers: { ...headers, 'paylab-signature': '' } })
  t.match(errorOf(partial), { status: 401, code: 'PAYLAB_AUTH_HEADERS_MISSING', headers: ['Paylab-Nonce', 'Paylab-Signature'] })
  t.ok(answerVerifies(partial.headers, partial.body, { secret: gw.demo.secret }), 'a known merchant gets a signed refusal')
})

t.test('an unknown merchant is refused, unsigned', async (t) => {
  const gw = await gateway(t)
  const res = await gw.signed({ method: 'GET', path: '/v1/payments' }, { merchant: 'nobody', secret: gw.demo.secret })
  t.match(errorOf(res), { status: 401, code: 'PAYLAB_MERCHANT_UNKNOWN', header: 'Paylab-Merchant' })
  t.equal(res.headers['paylab-signature'], undefined)
})

t.test('a Paylab-Signature-Type other than HMAC-SHA256 or RSA-SHA256', async (t) => {
  const gw = await gateway(t)
  for (const type of ['HMAC-SHA1', 'hmac-sha256', 'RSA']) {
    const res = await gw.signed({ method: 'GET', path: '/v1/payments', headers: { 'paylab-signature-type': type } })
    t.match(errorOf(res), { status: 401, code: 'PAYLAB_AUTH_HEADER_INVALID', header: 'Paylab-Signature-Type' }, type)
    t.equal(res.headers['paylab-signature-type'], 'HMAC-SHA256', 'answered with the merchant\'s default type')
    t.ok(answerVerifies(res.headers, res.body, { secret: gw.demo.secret }))
  }
})

t.test('RSA-SHA256 from a merchant without an RSA public key', async (t) => {
  const gw = await gateway(t)
  const res = await gw.signed({ method: 'GET', path: '/v1/payments', type: 'RSA-SHA256' }, { ...gw.demo, privateKeyPem: vectorKeys.privateKeyPem })
  t.match(errorOf(res), { status: 401, code: 'PAYLAB_SIGNATURE_TYPE_UNAVAILABLE', header: 'Paylab-Signature-Type' })
  t.equal(res.headers['paylab-signature-type'], 'HMAC-SHA256')
  t.ok(answerVerifies(res.headers, res.body, { secret: gw.demo.secret }))
})

t.test('a malformed Paylab-Timestamp', async (t) => {
  const gw = await gateway(t)
  for (const timestamp of ['abc', '-1', '1767225600.5', '1e9', '1767225600000000', '0x69']) {
    const res = await gw.signed({ method: 'GET', path: '/v1/payments', headers: { 'paylab-timestamp': timestamp } })
    t.match(errorOf(res), { status: 401, code: 'PAYLAB_AUTH_HEADER_INVALID', header: 'Paylab-Timestamp' }, timestamp)
  }
})

t.test('the timestamp window is 300 s either way, edges included', async (t) => {
  const gw = await build(t, { ...PAYLAB_ONLY, clock: atT() })
  const at = (timestamp: number) => gw.signed({ method: 'GET', path: '/v1/payments', timestamp })
  for (const timestamp of [T - 300, T + 300, T]) t.equal((await at(timestamp)).statusCode, 200, `${timestamp - T} s accepted`)
  for (const timestamp of [T - 301, T + 301, 0]) {
    const res = await at(timestamp)
    // On a virtual clock the real time is accepted too (signatures stay on real time), and both are named.
    t.match(errorOf(res), { status: 401, code: 'PAYLAB_TIMESTAMP_OUT_OF_RANGE', header: 'Paylab-Timestamp', virtual_time: T, gateway_time: Number }, `${timestamp - T} s refused`)
  }
})

t.test('the window follows the injected clock and timestampToleranceSec', async (t) => {
  const clock = atT()
  const gw = await build(t, { ...PAYLAB_ONLY, clock, config: { timestampToleranceSec: 30 } })
  t.equal((await gw.signed({ method: 'GET', path: '/v1/payments', timestamp: T - 30 })).statusCode, 200)
  t.equal(errorOf(await gw.signed({ method: 'GET', path: '/v1/payments', timestamp: T - 31 })).code, 'PAYLAB_TIMESTAMP_OUT_OF_RANGE')
  clock.advance(3600_000)
  t.equal((await gw.signed({ method: 'GET', path: '/v1/payments', timestamp: T + 3600 })).statusCode, 200, 'an hour later, that hour is now')
  t.equal(errorOf(await gw.signed({ method: 'GET', path: '/v1/payments', timestamp: T })).code, 'PAYLAB_TIMESTAMP_OUT_OF_RANGE')
})

t.test('a malformed Paylab-Nonce', async (t) => {
  const gw = await gateway(t)
  for (const n of ['a'.repeat(15), 'a'.repeat(65), 'abcdefgh.ijklmnop', 'abcdefgh ijklmnop', 'abcdefghijklmnopé']) {
    const res = await gw.signed({ method: 'GET', path: '/v1/payments', nonce: n })
    t.match(errorOf(res), { status: 401, code: 'PAYLAB_AUTH_HEADER_INVALID', header: 'Paylab-Nonce' }, JSON.stringify(n))
  }
  for (const n of ['A'.repeat(16), 'z_-9'.repeat(16)]) {
    t.equal((await gw.signed({ method: 'GET', path: '/v1/payments', nonce: n })).statusCode, 200, `${n.length} characters accepted`)
  }
})

t.test('a nonce works once per merchant; a wrongly signed request does not use it up', async (t) => {
  const gw = await gateway(t)
  const n = nonce()
  const forged = await gw.signed({ method: 'GET', path: '/v1/payments', nonce: n }, { ...gw.demo, secret: 'not-the-secret' })
  t.equal(errorOf(forged).code, 'PAYLAB_SIGNATURE_INVALID')
  t.equal((await gw.signed({ method: 'GET', path: '/v1/payments', nonce: n })).statusCode, 200, 'the nonce was still free')
  const replay = await gw.signed({ method: 'GET', path: '/v1/payments', nonce: n })
  t.match(errorOf(replay), { status: 401, code: 'PAYLAB_REPLAYED_REQUEST', header: 'Paylab-Nonce' })
  const other = await gw.signed({ method: 'GET', path: '/v1/payments?limit=5', nonce: n, timestamp: Math.floor(Date.now() / 1000) - 1 })
  t.equal(errorOf(other).code, 'PAYLAB_REPLAYED_REQUEST', 'another request with the same nonce is refused too')
  const second = await merchant(gw, { id: 'second' })
  t.equal((await gw.signed({ method: 'GET', path: '/v1/payments', nonce: n }, second)).statusCode, 200, 'nonces are per merchant')
})

t.test('a wrong signature: the hint is the string to sign, never the signature or the secret', async (t) => {
  for (const signatureHints of [true, false]) {
    const gw = await build(t, { ...PAYLAB_ONLY, config: { signatureHints } })
    const timestamp = Math.floor(Date.now() / 1000)
    const n = nonce()
    const res = await gw.signed({ method: 'GET', path: '/v1/payments?limit=1', timestamp, nonce: n }, { ...gw.demo, secret: 'wrong-secret-0123456789' })
    const stringToSign = `GET\n/v1/payments?limit=1\n${timestamp}\n${n}\n\n`
    t.match(errorOf(res), { status: 401, code: 'PAYLAB_SIGNATURE_INVALID', signature_type: 'HMAC-SHA256' })
    t.equal(res.json().error.string_to_sign, signatureHints ? stringToSign : undefined, `hints ${String(signatureHints)}`)
    const expected = createHmac('sha256', gw.demo.secret ?? '').update(stringToSign).digest()
    for (const leak of [expected.toString('base64'), expected.toString('hex'), expected.toString('base64url'), gw.demo.secret ?? '']) {
      t.notOk(res.body.includes(leak), 'nothing that would sign for the merchant')
    }
    t.ok(answerVerifies(res.headers, res.body, { secret: gw.demo.secret }), 'the refusal is signed for the merchant')
  }
})

t.test('the signature covers the raw body, the exact path and the query', async (t) => {
  const gw = await gateway(t)
  const created = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { merchant_order_id: 'ord:1' }) })
  t.equal(created.statusCode, 201, created.body)

  const { headers } = signRequest(gw.demo, { method: 'POST', path: '/v1/payments', body: '{"amount":1}' })
  const swapped = await gw.app.inject({ method: 'POST', url: '/v1/payments', headers, payload: '{"amount":2}' })
  t.match(errorOf(swapped), { status: 401, code: 'PAYLAB_SIGNATURE_INVALID', string_to_sign: /\n\{"amount":2\}\n$/ })

  const encoded = await gw.signed({ method: 'GET', path: '/v1/payments/order/ord%3A1' })
  t.equal(encoded.statusCode, 200, 'the path is signed as sent, percent-encoding and all')
  t.equal(encoded.json().id, created.json().id)

  const query = await gw.signed({ method: 'GET', path: '/v1/payments?limit=1' })
  t.equal(query.statusCode, 200, query.body)
  t.equal(query.json().data.length, 1)

  for (const signedPath of ['/v1/payments', '/v1/payments?limit=2']) {
    const sent = signRequest(gw.demo, { method: 'GET', path: signedPath })
    const res = await gw.app.inject({ method: 'GET', url: '/v1/payments?limit=1', headers: sent.headers })
    t.match(errorOf(res), { status: 401, code: 'PAYLAB_SIGNATURE_INVALID', string_to_sign: /^GET\n\/v1\/payments\?limit=1\n/ }, `signed ${signedPath}`)
  }
})

t.test('the signature may be URL-safe base64 or unpadded', async (t) => {
  const gw = await gateway(t)
  const path = '/v1/payments?limit=3'
  for (const recode of [(s: string) => s.replace(/=+$/, ''), (s: string) => Buffer.from(s, 'base64').toString('base64url')]) {
    let headers: Record<string, string>
    // Signs until the signature has a + or /, so that the URL-safe spelling really differs.
    do headers = signRequest(gw.demo, { method: 'GET', path }).headers; while (!/[+/]/.test(headers['paylab-signature'] as string))
    const res = await gw.app.inject({ method: 'GET', url: path, headers: { ...headers, 'paylab-signature': recode(headers['paylab-signature'] as string) } })
    t.equal(res.statusCode, 200, res.body)
  }
})

t.test('a signature that is not base64 of the right bytes', async (t) => {
  const gw = await gateway(t)
  const valid = signRequest(gw.demo, { method: 'GET', path: '/v1/payments' }).headers['paylab-signature'] as string
  for (const signature of ['%%%%', 'AAAA', 'x', `${valid}!!`, `*${valid}`, `${valid.slice(0, 8)} ${valid.slice(8)}`]) {
    const res = await gw.signed({ method: 'GET', path: '/v1/payments', headers: { 'paylab-signature': signature } })
    t.match(errorOf(res), { status: 401, code: 'PAYLAB_SIGNATURE_INVALID' }, signature)
  }
})
