// Refunds: partial and several, never more than was captured, merchant_refund_id as the
// merchant's retry-safe reference, and one merchant never sees another's money.
import t from 'tap'
import { PAYLAB_ONLY, sharedGateway, type TestGateway } from '../helpers/build.js'
import { addMerchant } from '../helpers/merchants.js'
import type { Credentials } from '../helpers/signer.js'

// One gateway for the file; each test is a merchant of its own on it (helpers/build.ts).
const gateway = sharedGateway(PAYLAB_ONLY)

let refNo = 0
const refId = (): string => `refund-${process.pid}-${++refNo}`

async function paid (gw: TestGateway, extra: Record<string, unknown> = {}, number = '4242424242424242') {
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment(number, { amount: 10000, ...extra }) })
  if (res.statusCode !== 201) throw new Error(`create answered ${res.statusCode}: ${res.body}`)
  return res.json<{ id: string, status: string }>()
}

const refund = (gw: TestGateway, paymentId: string, body: Record<string, unknown>, creds?: Credentials) =>
  gw.signed({ method: 'POST', path: `/v1/payments/${paymentId}/refunds`, body }, creds)
const payment = async (gw: TestGateway, id: string) => (await gw.signed({ method: 'GET', path: `/v1/payments/${id}` })).json()

t.test('a partial refund, then more, never beyond what was captured', async (t) => {
  const gw = await gateway(t)
  const p = await paid(gw)
  const first = await refund(gw, p.id, { merchant_refund_id: refId(), amount: 3000, reason: 'damaged' })
  t.equal(first.statusCode, 201, first.body)
  t.match(first.json(), { object: 'refund', payment_id: p.id, amount: 3000, currency: 'USD', status: 'succeeded', reason: 'damaged' })
  t.equal((await payment(gw, p.id)).amount_refunded, 3000)

  const second = await refund(gw, p.id, { merchant_refund_id: refId(), amount: 6000 })
  t.equal(second.statusCode, 201, second.body)
  t.equal((await payment(gw, p.id)).amount_refunded, 9000)

  const tooMuch = await refund(gw, p.id, { merchant_refund_id: refId(), amount: 1001 })
  t.equal(tooMuch.statusCode, 409, tooMuch.body)
  t.equal(tooMuch.json().error.code, 'PAYLAB_REFUND_AMOUNT_EXCEEDED')
  t.equal(tooMuch.json().error.refundable, 1000, 'the error says what is left')
  t.equal((await payment(gw, p.id)).amount_refunded, 9000, 'a refused refund moves no money')

  const rest = await refund(gw, p.id, { merchant_refund_id: refId(), amount: 1000 })
  t.equal(rest.statusCode, 201, 'exactly what is left can be refunded')
  const after = await payment(gw, p.id)
  t.equal(after.amount_refunded, 10000)
  t.equal(after.status, 'succeeded', 'a refunded payment stays succeeded')
})

t.test('without an amount, a refund returns everything left; then nothing is left', async (t) => {
  const gw = await gateway(t)
  const p = await paid(gw)
  t.equal((await refund(gw, p.id, { merchant_refund_id: refId(), amount: 2500 })).statusCode, 201)
  const full = await refund(gw, p.id, { merchant_refund_id: refId() })
  t.equal(full.statusCode, 201, full.body)
  t.equal(full.json().amount, 7500)
  t.equal((await payment(gw, p.id)).amount_refunded, 10000)
  const more = await refund(gw, p.id, { merchant_refund_id: refId() })
  t.equal(more.statusCode, 409)
  t.equal(more.json().error.code, 'PAYLAB_REFUND_AMOUNT_EXCEEDED')
})

t.test('after a partial capture, only the captured part can be refunded', async (t) => {
  const gw = await gateway(t)
  const p = await paid(gw, { capture: 'manual' })
  t.equal(p.status, 'authorized')
  const cap = await gw.signed({ method: 'POST', path: `/v1/payments/${p.id}/capture`, body: { amount: 4000 } })
  t.equal(cap.statusCode, 200, cap.body)
  const over = await refund(gw, p.id, { merchant_refund_id: refId(), amount: 4001 })
  t.equal(over.json().error.code, 'PAYLAB_REFUND_AMOUNT_EXCEEDED')
  const full = await refund(gw, p.id, { merchant_refund_id: refId() })
  t.equal(full.json().amount, 4000)
})

t.test('merchant_refund_id: same request gives the same refund, other parameters are a conflict', async (t) => {
  const gw = await gateway(t)
  const p = await paid(gw)
  const other = await paid(gw)
  const ref = refId()
  const first = await refund(gw, p.id, { merchant_refund_id: ref, amount: 2000 })
  t.equal(first.statusCode, 201)
  const again = await refund(gw, p.id, { merchant_refund_id: ref, amount: 2000 })
  t.equal(again.statusCode, 200, again.body)
  t.equal(again.json().id, first.json().id)
  t.equal((await payment(gw, p.id)).amount_refunded, 2000, 'the retry refunded nothing more')

  for (const [name, id, body] of [
    ['another amount', p.id, { merchant_refund_id: ref, amount: 2500 }],
    ['another payment', other.id, { merchant_refund_id: ref, amount: 2000 }]
  ] as const) {
    const res = await refund(gw, id, body)
    t.equal(res.statusCode, 409, `${name}: ${res.body}`)
    t.equal(res.json().error.code, 'PAYLAB_REFUND_ID_CONFLICT', name)
    t.equal(res.json().error.refund_id, first.json().id, `${name}: names the existing refund`)
  }
  t.equal((await payment(gw, p.id)).amount_refunded, 2000)
  t.equal((await payment(gw, other.id)).amount_refunded, 0)

  const list = await gw.signed({ method: 'GET', path: `/v1/payments/${p.id}/refunds` })
  t.equal(list.json().data.length, 1)
})

t.test('only a succeeded payment can be refunded', async (t) => {
  const gw = await gateway(t)
  const failed = await paid(gw, {}, '4000000000000002')
  const authorized = await paid(gw, { capture: 'manual' })
  for (const p of [failed, authorized]) {
    const res = await refund(gw, p.id, { merchant_refund_id: refId() })
    t.equal(res.statusCode, 409, `${p.status}: ${res.body}`)
    t.equal(res.json().error.code, 'PAYLAB_INVALID_STATE_TRANSITION')
    t.equal(res.json().error.status, p.status)
  }
  const unknown = await refund(gw, 'pay_doesnotexist0000000', { merchant_refund_id: refId() })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error.code, 'PAYLAB_PAYMENT_NOT_FOUND')
})

t.test('GET /v1/refunds/{id} and GET /v1/payments/{id}/refunds, oldest first', async (t) => {
  const gw = await gateway(t)
  const p = await paid(gw)
  const made = []
  for (const amount of [1000, 2000, 3000]) made.push((await refund(gw, p.id, { merchant_refund_id: refId(), amount })).json())
  const one = await gw.signed({ method: 'GET', path: `/v1/refunds/${made[1].id}` })
  t.equal(one.statusCode, 200, one.body)
  t.same(one.json(), made[1])
  const list = await gw.signed({ method: 'GET', path: `/v1/payments/${p.id}/refunds` })
  t.equal(list.statusCode, 200, list.body)
  t.equal(list.json().object, 'list')
  t.same(list.json().data.map((r: { id: string }) => r.id), made.map((r) => r.id))
  const none = await gw.signed({ method: 'GET', path: `/v1/payments/${(await paid(gw)).id}/refunds` })
  t.same(none.json().data, [], 'a payment without refunds has an empty list')
  const missing = await gw.signed({ method: 'GET', path: '/v1/refunds/re_doesnotexist000000' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().error.code, 'PAYLAB_REFUND_NOT_FOUND')
})

t.test('another merchant can neither see nor refund this merchant\'s payments', async (t) => {
  const gw = await gateway(t)
  const p = await paid(gw)
  const r = (await refund(gw, p.id, { merchant_refund_id: refId(), amount: 1000 })).json()
  const other = await addMerchant(gw)
  const tries = [
    gw.signed({ method: 'GET', path: `/v1/payments/${p.id}` }, other),
    gw.signed({ method: 'GET', path: `/v1/payments/${p.id}/refunds` }, other),
    gw.signed({ method: 'GET', path: `/v1/refunds/${r.id}` }, other),
    refund(gw, p.id, { merchant_refund_id: refId() }, other),
    gw.signed({ method: 'POST', path: `/v1/payments/${p.id}/cancel` }, other)
  ]
  for (const res of await Promise.all(tries)) {
    t.equal(res.statusCode, 404, res.body)
    t.match(res.json().error.code, /^PAYLAB_(PAYMENT|REFUND)_NOT_FOUND$/)
    t.notOk(res.body.includes('"amount"'), 'nothing of the payment leaks')
  }
  const own = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') }, other)
  const sameRef = await refund(gw, own.json().id, { merchant_refund_id: r.merchant_refund_id, amount: 1000 }, other)
  t.equal(sameRef.statusCode, 201, 'merchant_refund_id is unique per merchant only')
  t.not(sameRef.json().id, r.id)
  const listed = await gw.signed({ method: 'GET', path: '/v1/payments' }, other)
  t.same(listed.json().data.map((x: { id: string }) => x.id), [own.json().id], 'the other merchant lists only its own payment')
  t.equal((await payment(gw, p.id)).amount_refunded, 1000, 'the owner sees its payment unchanged')
})
