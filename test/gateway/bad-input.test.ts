// Malformed, mistyped and out-of-range create-payment bodies: each gets a 4xx with a stable code
// and a message naming the field, never a 5xx, and stores nothing. Requests are signed correctly,
// since the signature is checked before the body's shape.
import t from 'tap'
import { sharedGateway, orderId, PAYLAB_ONLY } from '../helpers/build.js'
import { answerVerifies } from '../helpers/signer.js'
import { refused, type Refusal } from '../helpers/rejections.js'

// One gateway for the file; each test is a merchant of its own on it (helpers/build.ts).
const gateway = sharedGateway(PAYLAB_ONLY)

type Body = Record<string, unknown>
const without = (body: Body, key: string): Body => Object.fromEntries(Object.entries(body).filter(([k]) => k !== key))
const invalid = (field: string): Refusal => ({ status: 400, code: 'PAYLAB_VALIDATION_FAILED', field })
const wallet = (extra: Body = {}): Body =>
  ({ merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'wallet', wallet: { provider: 'alipay' } }, ...extra })

const bodyCases: Array<[string, (card: Body) => Body, Refusal]> = [
  ['missing merchant_order_id', (b) => without(b, 'merchant_order_id'), invalid('merchant_order_id')],
  ['missing amount', (b) => without(b, 'amount'), invalid('amount')],
  ['missing currency', (b) => without(b, 'currency'), invalid('currency')],
  ['missing method', (b) => without(b, 'method'), invalid('method')],
  ['missing method.type', (b) => ({ ...b, method: {} }), invalid('method.type')],
  ['amount as the string "100"', (b) => ({ ...b, amount: '100' }), invalid('amount')],
  ['amount 10.5', (b) => ({ ...b, amount: 10.5 }), invalid('amount')],
  ['amount 0.01', (b) => ({ ...b, amount: 0.01 }), invalid('amount')],
  ['amount true', (b) => ({ ...b, amount: true }), invalid('amount')],
  ['amount null', (b) => ({ ...b, amount: null }), invalid('amount')],
  ['amount 0', (b) => ({ ...b, amount: 0 }), invalid('amount')],
  ['amount -100', (b) => ({ ...b, amount: -100 }), invalid('amount')],
  ['amount 100000000000 (one over the maximum)', (b) => ({ ...b, amount: 100_000_000_000 }), invalid('amount')],
  ['amount 2^53 + 2', (b) => ({ ...b, amount: 9007199254740994 }), invalid('amount')],
  ['amount 1e300', (b) => ({ ...b, amount: 1e300 }), invalid('amount')],
  ['unknown top-level field', (b) => ({ ...b, colour: 'red' }), invalid('colour')],
  ['unknown field in method', (b) => ({ ...b, method: { ...(b.method as Body), colour: 'red' } }), invalid('method.colour')],
  ['unknown field in method.card', (b) => ({ ...b, method: { type: 'card', card: { ...((b.method as Body).card as Body), foo: 1 } } }), invalid('method.card.foo')],
  ['unknown field in method.wallet', (b) => ({ ...b, method: { type: 'wallet', wallet: { provider: 'alipay', foo: 1 } } }), invalid('method.wallet.foo')],
  ['unsupported currency XXX', (b) => ({ ...b, currency: 'XXX' }), { status: 400, code: 'PAYLAB_CURRENCY_UNSUPPORTED', field: 'currency' }],
  ['lower-case currency usd', (b) => ({ ...b, currency: 'usd' }), invalid('currency')],
  ['numeric currency 840', (b) => ({ ...b, currency: 840 }), invalid('currency')],
  ['merchant_order_id of 65 characters', (b) => ({ ...b, merchant_order_id: 'o'.repeat(65) }), invalid('merchant_order_id')],
  ['empty merchant_order_id', (b) => ({ ...b, merchant_order_id: '' }), invalid('merchant_order_id')],
  ['merchant_order_id with a space and a slash', (b) => ({ ...b, merchant_order_id: 'order 1/2' }), invalid('merchant_order_id')],
  ['merchant_order_id with a non-ASCII letter', (b) => ({ ...b, merchant_order_id: 'commande-é' }), invalid('merchant_order_id')],
  ['method.type cash', (b) => ({ ...b, method: { type: 'cash' } }), invalid('method.type')],
  ['method.type as a number', (b) => ({ ...b, method: { type: 1 } }), invalid('method.type')],
  ['wallet provider with capitals', () => wallet({ method: { type: 'wallet', wallet: { provider: 'AliPay' } } }), invalid('method.wallet.provider')],
  ['capture sometimes', (b) => ({ ...b, capture: 'sometimes' }), invalid('capture')],
  ['description of 501 characters', (b) => ({ ...b, description: 'd'.repeat(501) }), invalid('description')],
  ['notify_url ftp://', (b) => ({ ...b, notify_url: 'ftp://example.com/notify' }), { status: 400, code: 'PAYLAB_NOTIFY_URL_NOT_ALLOWED', field: 'notify_url' }],
  ['notify_url that is not a URL', (b) => ({ ...b, notify_url: 'not a url' }), { status: 400, code: 'PAYLAB_NOTIFY_URL_NOT_ALLOWED', field: 'notify_url' }],
  ['return_url javascript:', (b) => ({ ...b, return_url: 'javascript:alert(1)' }), { status: 400, code: 'PAYLAB_NOTIFY_URL_NOT_ALLOWED', field: 'return_url' }],
  ['notify_url of 2049 characters', (b) => ({ ...b, notify_url: `https://example.com/${'n'.repeat(2029)}` }), invalid('notify_url')],
  ['metadata with 21 keys', (b) => ({ ...b, metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }), invalid('metadata')],
  ['metadata value of 501 characters', (b) => ({ ...b, metadata: { note: 'v'.repeat(501) } }), invalid('metadata.note')],
  ['metadata key of 41 characters', (b) => ({ ...b, metadata: { ['k'.repeat(41)]: 'v' } }), invalid('metadata')],
  ['metadata value that is an object', (b) => ({ ...b, metadata: { note: { nested: true } } }), invalid('metadata.note')],
  ['metadata that is an array', (b) => ({ ...b, metadata: ['a'] }), invalid('metadata')]
]

t.test('create-payment bodies of the wrong shape', async (t) => {
  const gw = await gateway(t)
  for (const [name, change, expected] of bodyCases) {
    await t.test(name, async (t) => {
      await refused(t, gw, () => gw.signed({ method: 'POST', path: '/v1/payments', body: change(gw.cardPayment('4242424242424242')) }), expected)
    })
  }
})

t.test('bodies that are not a JSON object', async (t) => {
  const gw = await gateway(t)
  const post = (body: string, headers: Record<string, string> = {}) => gw.signed({ method: 'POST', path: '/v1/payments', body, headers })
  const valid = JSON.stringify(gw.cardPayment('4242424242424242'))

  await t.test('malformed JSON', async (t) => {
    const error = await refused(t, gw, () => post('{"merchant_order_id": "o-1", "amount": 19'), { status: 400, code: 'PAYLAB_MALFORMED_JSON', field: 'body' })
    t.match(error.message, /JSON/)
  })
  await t.test('a refusal is still signed for the merchant', async (t) => {
    const res = await post('{not json}')
    t.equal(res.statusCode, 400)
    t.ok(answerVerifies(res.headers, res.body, { secret: gw.demo.secret }), 'the error answer verifies')
  })
  await t.test('text/plain', (t) => refused(t, gw, () => post(valid, { 'content-type': 'text/plain' }), { status: 415, code: 'PAYLAB_UNSUPPORTED_MEDIA_TYPE', field: 'Content-Type' }))
  await t.test('a form', (t) => refused(t, gw, () => post('amount=1999&currency=USD', { 'content-type': 'application/x-www-form-urlencoded' }), { status: 415, code: 'PAYLAB_UNSUPPORTED_MEDIA_TYPE', field: 'Content-Type' }))
  await t.test('JSON with a charset is still JSON', async (t) => {
    const res = await post(valid, { 'content-type': 'application/json; charset=utf-8' })
    t.equal(res.statusCode, 201, res.body)
  })
  await t.test('an empty body', (t) => refused(t, gw, () => gw.signed({ method: 'POST', path: '/v1/payments' }), invalid('body')))
  await t.test('an empty body sent as JSON', (t) => refused(t, gw, () => post('', { 'content-type': 'application/json' }), invalid('body')))
  await t.test('a JSON array', (t) => refused(t, gw, () => post('[1,2]'), invalid('body')))
  await t.test('JSON null', (t) => refused(t, gw, () => post('null'), invalid('body')))
  await t.test('a JSON string', (t) => refused(t, gw, () => post('"pay me"'), invalid('body')))
  await t.test('a __proto__ key is an unknown field, not a prototype', async (t) => {
    await refused(t, gw, () => post(valid.replace(/^\{/, '{"__proto__":{"amount":1},')), invalid('__proto__'))
  })
  await t.test('metadata nested 100 000 levels deep', async (t) => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    await refused(t, gw, () => post(valid.replace(/^\{/, `{"metadata":{"note":${deep}},`)), invalid('metadata.note'))
  })
  await t.test('a body over 1 MB', async (t) => {
    const big = JSON.stringify({ ...JSON.parse(valid), description: 'x'.repeat(1024 * 1024) })
    await refused(t, gw, () => post(big), { status: 413, code: 'PAYLAB_BODY_TOO_LARGE', field: 'body' })
  })
  await t.test('an Idempotency-Key over 255 characters', async (t) => {
    await refused(t, gw, () => gw.signed({ method: 'POST', path: '/v1/payments', body: JSON.parse(valid), idempotencyKey: 'k'.repeat(256) }), invalid('Idempotency-Key'))
  })

  const res = await gw.signed({ method: 'GET', path: '/v1/payments' })
  t.equal(res.json().data.length, 1, 'only the one valid request made a payment')
})
