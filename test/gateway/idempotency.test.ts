// Retry safety of mutations: Idempotency-Key replays (successes and errors alike) for 24 hours,
// and merchant_order_id makes a payment unique per merchant even without a key.
import t from 'tap'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { PAYLAB_ONLY, sharedGateway, build, orderId, type TestGateway } from '../helpers/build.js'
import { addMerchant } from '../helpers/merchants.js'
import type { Credentials, SignOptions } from '../helpers/signer.js'

// One gateway for the file; each test is a merchant of its own on it (helpers/build.ts).
const gateway = sharedGateway(PAYLAB_ONLY)

const DAY_MS = 24 * 3600 * 1000
let keyNo = 0
const newKey = (): string => `key-${process.pid}-${++keyNo}`

const create = (gw: TestGateway, body: unknown, idempotencyKey?: string, creds?: Credentials, extra: Partial<SignOptions> = {}) =>
  gw.signed({ method: 'POST', path: '/v1/payments', body: JSON.stringify(body), idempotencyKey, ...extra }, creds)

async function listIds (gw: TestGateway, creds?: Credentials, extra: Partial<SignOptions> = {}): Promise<string[]> {
  const res = await gw.signed({ method: 'GET', path: '/v1/payments?limit=100', ...extra }, creds)
  return res.json().data.map((p: { id: string }) => p.id)
}

t.test('the same key and body replay the first answer byte for byte', async (t) => {
  const gw = await gateway(t)
  const key = newKey()
  const body = gw.cardPayment('4242424242424242')
  const first = await create(gw, body, key)
  t.equal(first.statusCode, 201, first.body)
  t.equal(first.headers['paylab-idempotent-replayed'], undefined, 'the first answer is no replay')
  const again = await create(gw, body, key)
  t.equal(again.statusCode, 201)
  t.equal(again.body, first.body)
  t.equal(again.headers['paylab-idempotent-replayed'], 'true')
  t.same(await listIds(gw), [first.json().id], 'one payment exists')
})

t.test('the same key with another body or path is 409 PAYLAB_IDEMPOTENCY_CONFLICT', async (t) => {
  const gw = await gateway(t)
  const key = newKey()
  const body = gw.cardPayment('4242424242424242', { capture: 'manual' })
  const first = await create(gw, body, key)
  const other = await create(gw, { ...body, amount: 2500 }, key)
  t.equal(other.statusCode, 409, other.body)
  t.equal(other.json().error.code, 'PAYLAB_IDEMPOTENCY_CONFLICT')
  t.equal(other.json().error.field, 'Idempotency-Key')
  // The body bytes count, not their meaning: the same JSON with other spacing is another request.
  const spaced = await gw.signed({ method: 'POST', path: '/v1/payments', body: JSON.stringify(body, null, 1), idempotencyKey: key })
  t.equal(spaced.statusCode, 409)
  const capture = await gw.signed({ method: 'POST', path: `/v1/payments/${first.json().id as string}/capture`, idempotencyKey: key })
  t.equal(capture.statusCode, 409, 'a key is bound to its method and path too')
  t.equal(capture.json().error.code, 'PAYLAB_IDEMPOTENCY_CONFLICT')
  t.same(await listIds(gw), [first.json().id])
})

t.test('a key of 1 to 255 characters is accepted; longer is 400', async (t) => {
  const gw = await gateway(t)
  const longest = await create(gw, gw.cardPayment('4242424242424242'), 'k'.repeat(255))
  t.equal(longest.statusCode, 201, longest.body)
  const tooLong = await create(gw, gw.cardPayment('4242424242424242'), 'k'.repeat(256))
  t.equal(tooLong.statusCode, 400, tooLong.body)
  t.equal(tooLong.json().error.code, 'PAYLAB_VALIDATION_FAILED')
  t.equal(tooLong.json().error.field, 'Idempotency-Key')
  t.equal((await listIds(gw)).length, 1, 'the refused request created nothing')
})

t.test('keys belong to one merchant', async (t) => {
  const gw = await gateway(t)
  const other = await addMerchant(gw)
  const key = newKey()
  const mine = await create(gw, gw.cardPayment('4242424242424242'), key)
  const theirs = await create(gw, gw.cardPayment('4242424242424242', { amount: 777 }), key, other)
  t.equal(theirs.statusCode, 201, theirs.body)
  t.equal(theirs.headers['paylab-idempotent-replayed'], undefined)
  t.not(theirs.json().id, mine.json().id)
  t.same(await listIds(gw, other), [theirs.json().id])
})

t.test('an error answer is replayed too', async (t) => {
  const gw = await gateway(t)
  const payment = (await create(gw, gw.cardPayment('4242424242424242', { capture: 'manual', amount: 5000 }))).json()
  const key = newKey()
  const path = `/v1/payments/${payment.id as string}/capture`
  const first = await gw.signed({ method: 'POST', path, body: { amount: 6000 }, idempotencyKey: key })
  t.equal(first.statusCode, 409)
  t.equal(first.json().error.code, 'PAYLAB_CAPTURE_AMOUNT_EXCEEDED')
  const again = await gw.signed({ method: 'POST', path, body: { amount: 6000 }, idempotencyKey: key })
  t.equal(again.statusCode, 409)
  t.equal(again.body, first.body, 'the same error, with the first request_id')
  t.equal(again.headers['paylab-idempotent-replayed'], 'true')
  const fixed = await gw.signed({ method: 'POST', path, body: { amount: 5000 }, idempotencyKey: newKey() })
  t.equal(fixed.statusCode, 200, 'a corrected request needs a new key')
})

t.test('a key is remembered for 24 h; after that, and a sweep, it is free again', async (t) => {
  const clock = new VirtualClock()
  const gw = await build(t, { ...PAYLAB_ONLY, clock })
  const at = (): Partial<SignOptions> => ({ timestamp: Math.floor(clock.now() / 1000) })
  const key = newKey()
  const body = gw.cardPayment('4242424242424242')
  const first = await create(gw, body, key, undefined, at())
  t.equal(first.statusCode, 201)

  clock.advance(DAY_MS - 1000)
  await gw.engine.sweep()
  const late = await create(gw, body, key, undefined, at())
  t.equal(late.headers['paylab-idempotent-replayed'], 'true', 'still replayed just before 24 h')
  t.equal(late.body, first.body)
  t.equal((await create(gw, gw.cardPayment('4242424242424242'), key, undefined, at())).statusCode, 409)

  clock.advance(2000)
  await gw.engine.sweep()
  const reused = await create(gw, gw.cardPayment('4242424242424242'), key, undefined, at())
  t.equal(reused.statusCode, 201, reused.body)
  t.equal(reused.headers['paylab-idempotent-replayed'], undefined, 'a forgotten key starts afresh')
  t.not(reused.json().id, first.json().id)
  t.equal((await listIds(gw, undefined, at())).length, 2)
})

t.test('a key reused after it expired is swept with its new age, not its old place', async (t) => {
  const clock = new VirtualClock()
  const gw = await build(t, { ...PAYLAB_ONLY, clock })
  const at = (): Partial<SignOptions> => ({ timestamp: Math.floor(clock.now() / 1000) })
  const [early, later] = [newKey(), newKey()]
  await create(gw, gw.cardPayment('4242424242424242'), early, undefined, at())
  await create(gw, gw.cardPayment('4242424242424242'), later, undefined, at())
  clock.advance(DAY_MS + 1000)
  // `early` is used again before any sweep: its record is now young, `later`'s is expired.
  await create(gw, gw.cardPayment('4242424242424242'), early, undefined, at())
  await gw.engine.sweep()
  // Nothing in HTTP tells a forgotten record from an expired one, so this counts the records kept:
  // one is left, and it is `early`'s, which another body under its key still conflicts with.
  t.equal(gw.engine.storedCounts().idempotency, 1, 'the expired record of `later` is gone')
  const other = await create(gw, gw.cardPayment('4242424242424242'), early, undefined, at())
  t.same([other.statusCode, other.json().error?.code], [409, 'PAYLAB_IDEMPOTENCY_CONFLICT'], 'the young one stays')
})

t.test('merchant_order_id is unique per merchant', async (t) => {
  const gw = await gateway(t)
  const order = orderId()
  const body = gw.cardPayment('4242424242424242', { merchant_order_id: order })
  const first = await create(gw, body)
  t.equal(first.statusCode, 201)
  const same = await create(gw, gw.cardPayment('4242424242424242', { merchant_order_id: order }))
  t.equal(same.statusCode, 200, 'the same order again answers the existing payment')
  t.equal(same.json().id, first.json().id)
  t.same(same.json(), first.json())

  for (const change of [{ amount: 2000 }, { currency: 'EUR' }, { capture: 'manual' }]) {
    const res = await create(gw, gw.cardPayment('4242424242424242', { merchant_order_id: order, ...change }))
    t.equal(res.statusCode, 409, `${JSON.stringify(change)}: ${res.body}`)
    t.equal(res.json().error.code, 'PAYLAB_ORDER_ID_CONFLICT')
    t.equal(res.json().error.payment_id, first.json().id)
  }
  const other = await addMerchant(gw)
  const theirs = await create(gw, body, undefined, other)
  t.equal(theirs.statusCode, 201, 'another merchant may use the same merchant_order_id')
  t.not(theirs.json().id, first.json().id)
  t.same(await listIds(gw), [first.json().id])
})
