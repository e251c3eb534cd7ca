// Reconciliation against the gateway's signed daily statement (GET /v1/statements): every
// mismatch reported, and what a query settles repaired — above all an order whose answer was
// lost and whose notification was dropped.
import t from 'tap'
import { buildPair, type Pair } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

const today = (p: Pair): string => new Date(p.now()).toISOString().slice(0, 10)
const reconcile = async (p: Pair, date = today(p)) => (await p.call('POST', '/api/reconcile', { date })).body

t.test('everything in step: no mismatch', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  await p.checkout({ amount: 1000 })
  await p.checkout({ amount: 1000, card: { number: '4000000000000002' } })
  const report = await reconcile(p)
  t.same([report.rows, report.orders, report.mismatches], [2, 2, []])
})

t.test('a lost answer and a dropped notification: reported as status_differs and repaired by query', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  await p.rule({ notification: 'drop' })
  await p.rule({ match: { method: 'POST', path: '/v1/payments' }, fault: 'response_lost', times: 1 })
  await p.rule({ match: { path: '/v1/payments*' }, fault: 'http_503;retry_after=0', times: 7 }) // the queries and retries of the create
  const order = await p.checkout({ amount: 3300 })
  const day = today(p) // the day of the payment: an hour on may be the next one (UTC)
  t.same([order.status, order.payment_id], ['pending_payment', null], 'the shop does not know')
  await p.advance('1h')
  t.equal(p.order(order.id).status, 'pending_payment', 'no notification came')
  const report = await reconcile(p, day)
  t.same(report.mismatches, [{ order_id: order.id, kind: 'status_differs', shop: 'pending_payment', gateway: 'paid', repaired: true }])
  t.equal(p.order(order.id).status, 'paid')
  t.equal(p.order(order.id).payment_id, p.payments(order.id)[0]?.id)
  t.same((await reconcile(p, day)).mismatches, [], 'in step afterwards')
})

t.test('a payment the shop has no order for: missing_order, not repaired', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  await p.client().createPayment({ merchant_order_id: 'made-elsewhere', amount: 700, currency: 'USD', method: { type: 'bank_transfer' } })
  const report = await reconcile(p)
  t.equal(report.mismatches.length, 1)
  t.match(report.mismatches[0], { order_id: 'made-elsewhere', kind: 'missing_order', repaired: false })
})

t.test('an order the shop thinks is paying that the gateway never saw: missing_payment, not repaired', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  await p.rule({ match: { method: 'POST', path: '/v1/payments' }, fault: 'connection_reset' })
  const order = await p.checkout({ amount: 1000 })
  t.equal(order.status, 'pending_payment')
  await p.admin('DELETE', `/admin/rules?merchant_id=${p.merchant.id}`)
  const report = await reconcile(p)
  t.same(report.mismatches, [{ order_id: order.id, kind: 'missing_payment', shop: 'pending_payment', gateway: 'no payment', repaired: false }])
  t.equal(p.payments(order.id).length, 0)
})

t.test('a payment for the order id with another amount: amount_differs, and it does not pay the order', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  await p.rule({ match: { method: 'POST', path: '/v1/payments' }, fault: 'http_500', times: 4 })
  const order = await p.checkout({ amount: 5000 })
  t.equal(order.payment_id, null)
  // Someone else pays the order's id, for less.
  await p.client().createPayment({ merchant_order_id: order.id, amount: 50, currency: 'USD', method: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2099, cvc: '123' } } })
  const report = await reconcile(p)
  t.same(report.mismatches, [
    { order_id: order.id, kind: 'amount_differs', shop: '5000', gateway: '50', repaired: false },
    { order_id: order.id, kind: 'status_differs', shop: 'pending_payment', gateway: 'paid', repaired: false }
  ])
  t.equal(p.order(order.id).status, 'pending_payment', '50 does not pay for 5000')
  t.equal(p.order(order.id).payment_id, null)
})

t.test('a refund the shop missed: the statement\'s amount_refunded brings it in', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  await p.rule({ notification: 'drop' })
  const order = await p.checkout({ amount: 8000 })
  await p.client().createRefund(order.payment_id as string, { merchant_refund_id: 'ops-1', amount: 8000 })
  const report = await reconcile(p)
  t.same(report.mismatches, [{ order_id: order.id, kind: 'status_differs', shop: 'paid', gateway: 'refunded', repaired: true }])
  t.same([p.order(order.id).status, p.order(order.id).amount_refunded], ['refunded', 8000])
})
