// The shop's checkout through every transport fault of the catalogue (a rule on the shop's next
// create): the order ends paid with exactly one payment at the gateway, and only faults that
// strike before processing lead to a second create.
import t from 'tap'
import { FAULTS } from '../../gateway/engine/faults.js'
import { buildPair } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

const CASES: Array<[string, number]> = [
  ['delay;50', 1],
  ['slow_body;10', 1],
  ['timeout_not_processed;100', 2],
  ['response_lost;20', 1],
  ['connection_reset', 2],
  ['empty_response', 2],
  ['http_500', 2],
  ['http_502', 2],
  ['http_503;retry_after=0', 2],
  ['http_429;retry_after=0', 2],
  ['malformed_body', 1],
  ['bad_signature', 1],
  ['unknown_key', 1],
  ['stale_timestamp;600', 1]
]

t.test('the cases cover every fault of the catalogue', async (t) => {
  t.same(CASES.map(([f]) => f.split(';')[0]).sort(), Object.keys(FAULTS).sort())
})

for (const [fault, creates] of CASES) {
  t.test(`checkout through ${fault}: paid, one payment, ${creates} create(s)`, async (t) => {
    const p = await buildPair(t, { gateway: PAYLAB_ONLY })
    await p.rule({ match: { method: 'POST', path: '/v1/payments' }, fault, times: 1 })
    const order = await p.checkout({ items: [{ product_id: 'prod_001', quantity: 2 }] })
    t.equal(order.status, 'paid')
    t.equal(order.amount, p.shop.deps.catalogue[0]!.price * 2)
    const payments = p.payments(order.id)
    t.same(payments.map((x) => x.id), [order.payment_id], 'exactly one payment, the one the order holds')
    t.equal(payments[0]?.amount, order.amount)
    t.equal(await p.creates(), creates)
    await p.advance()
    t.equal(p.order(order.id).status, 'paid', 'the notification agrees')
    t.equal(p.order(order.id).applied_events.length, 1)
  })
}

t.test('no usable answer and no query: pending, never failed; a later sync settles it', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  await p.rule({ match: { method: 'POST', path: '/v1/payments' }, fault: 'response_lost', times: 1 })
  await p.rule({ match: { path: '/v1/payments*' }, fault: 'http_503;retry_after=0' })
  await p.rule({ notification: 'drop' })
  const order = await p.checkout({ amount: 4200 })
  t.equal(order.status, 'pending_payment', 'a 5xx is not a decline')
  t.equal(order.failure, null)
  t.equal(order.payment_id, null)
  const unavailable = await p.call('POST', `/api/orders/${order.id}/sync`)
  t.equal(unavailable.status, 502)
  t.equal(unavailable.body.error.code, 'SHOP_CHANNEL_UNAVAILABLE')
  await p.admin('DELETE', `/admin/rules?merchant_id=${p.merchant.id}`)
  const synced = await p.call('POST', `/api/orders/${order.id}/sync`)
  t.equal(synced.body.status, 'paid')
  t.equal(synced.body.payment_id, p.payments(order.id)[0]?.id)
  t.equal(p.payments(order.id).length, 1)
})

t.test('a decline and a refused request are final: payment_failed, no retry', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const declined = await p.checkout({ amount: 1000, card: { number: '4000000000009995' } })
  t.equal(declined.status, 'payment_failed')
  t.equal(declined.failure?.code, 'insufficient_funds')
  const refused = await p.checkout({ amount: 1000, card: { number: '4242424242424241' } })
  t.equal(refused.status, 'payment_failed')
  t.equal(refused.failure?.code, 'PAYLAB_CARD_NUMBER_INVALID')
  t.equal(refused.payment_id, null)
  t.equal(await p.creates(), 2, 'one create each')
})
