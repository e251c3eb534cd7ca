// Refunds through the shop's API against the real gateway: partial, several, the rest, an
// over-refund refused by the gateway and the order left as it was, and a refund whose answer is
// lost made exactly once.
import t from 'tap'
import { buildPair, type Pair } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

const refundsAt = (p: Pair, paymentId: string) => p.gw.engine.listRefunds(p.merchant.id, paymentId).data

t.test('partial, partial again, over-refund refused, the rest, then nothing left', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await p.checkout({ amount: 10_000 })
  t.equal(order.status, 'paid')
  const first = await p.call('POST', `/api/orders/${order.id}/refunds`, { amount: 2500 })
  t.same([first.status, first.body.status, first.body.amount_refunded], [200, 'partially_refunded', 2500])
  const second = await p.call('POST', `/api/orders/${order.id}/refunds`, { amount: 1500 })
  t.same([second.body.status, second.body.amount_refunded], ['partially_refunded', 4000])
  const over = await p.call('POST', `/api/orders/${order.id}/refunds`, { amount: 6001 })
  t.equal(over.status, 409)
  t.equal(over.body.error.code, 'PAYLAB_REFUND_AMOUNT_EXCEEDED')
  t.same([p.order(order.id).status, p.order(order.id).amount_refunded], ['partially_refunded', 4000], 'unchanged by the refusal')
  const rest = await p.call('POST', `/api/orders/${order.id}/refunds`, {})
  t.same([rest.body.status, rest.body.amount_refunded], ['refunded', 10_000], 'no amount: all that is left')
  const none = await p.call('POST', `/api/orders/${order.id}/refunds`, { amount: 1 })
  t.equal(none.body.error?.code, 'PAYLAB_REFUND_AMOUNT_EXCEEDED')
  const atGateway = refundsAt(p, order.payment_id as string)
  t.same(atGateway.map((r) => r.amount).sort((a, b) => a - b), [1500, 2500, 6000])
  t.equal(new Set(atGateway.map((r) => r.merchant_refund_id)).size, 3, 'each with its own merchant_refund_id')
  t.equal(p.payments(order.id)[0]?.amount_refunded, 10_000)
  await p.advance()
  const after = p.order(order.id)
  t.equal(after.refunds.length, 3, 'the refund notifications add nothing new')
  t.equal(after.status, 'refunded')
  t.equal(after.amount_refunded, 10_000)
})

t.test('an order without a payment cannot be refunded', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await p.checkout({ method: 'wallet', amount: 1000 })
  const res = await p.call('POST', `/api/orders/${order.id}/refunds`, { amount: 100 })
  t.equal(res.status, 409)
  t.equal(res.body.error.code, 'PAYLAB_INVALID_STATE_TRANSITION', 'waiting for the buyer: nothing taken yet')
  await p.rule({ match: { method: 'POST', path: '/v1/payments' }, fault: 'http_500' })
  const unpaid = await p.checkout({ amount: 1000 })
  t.equal(unpaid.payment_id, null)
  const none = await p.call('POST', `/api/orders/${unpaid.id}/refunds`, { amount: 100 })
  t.same([none.status, none.body.error.code], [409, 'SHOP_NOT_PAID'])
  const missing = await p.call('POST', '/api/orders/ord_nothere/refunds', { amount: 100 })
  t.equal(missing.status, 404)
})

for (const fault of ['response_lost', 'http_503;retry_after=0', 'bad_signature']) {
  t.test(`a refund through ${fault} is made exactly once`, async (t) => {
    const p = await buildPair(t, { gateway: PAYLAB_ONLY })
    const order = await p.checkout({ amount: 5000 })
    await p.rule({ match: { method: 'POST', path: '/v1/payments/*/refunds' }, fault, times: 1 })
    const res = await p.call('POST', `/api/orders/${order.id}/refunds`, { amount: 1200 })
    t.same([res.status, res.body.status, res.body.amount_refunded], [200, 'partially_refunded', 1200])
    t.same(refundsAt(p, order.payment_id as string).map((r) => r.amount), [1200], 'one refund at the gateway')
    const journal = await p.admin('GET', `/admin/journal/count?merchant_id=${p.merchant.id}&path=/v1/payments/*/refunds&method=POST`)
    t.equal(journal.count, 2, 'the retry went out, with the same key')
  })
}
