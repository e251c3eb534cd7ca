// Events out of order through the real gateway (`out_of_order` holds payment.succeeded until the
// next event of the payment): a refund made elsewhere (an operator with the SDK) reaches the shop
// before the payment's own event. The order ends refunded or partly refunded, never rolled back
// to paid, whether or not the shop knew the payment yet.
import t from 'tap'
import { buildPair, type Pair } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

const PROCESSING_CARD = '4000000000003055' // processing, succeeded 30 s later on the gateway clock

/** The types of the events the shop applied to the order, in the order it applied them. */
async function applied (p: Pair, id: string): Promise<string[]> {
  const events = (await p.admin('GET', `/admin/events?merchant_id=${p.merchant.id}`)).data as Array<{ id: string, type: string }>
  return p.order(id).applied_events.map((e) => events.find((x) => x.id === e)?.type ?? e)
}

/** What the gateway saw of each event's delivery: type and the shop's answers. */
const deliveries = async (p: Pair): Promise<string[]> =>
  (await p.admin('GET', `/admin/events?merchant_id=${p.merchant.id}`)).data
    .map((e: any) => `${e.type}:${e.attempts.map((a: any) => a.status_code).join(',')}`).sort()

for (const [amount, expected] of [[400, 'partially_refunded'], [1500, 'refunded']] as const) {
  t.test(`the shop knows the payment: a refund of ${amount} before payment.succeeded ends ${expected}`, async (t) => {
    const p = await buildPair(t, { gateway: PAYLAB_ONLY })
    const order = await p.checkout({ amount: 1500, card: { number: PROCESSING_CARD }, metadata: { paylab_notification: 'out_of_order' } })
    t.equal(order.status, 'pending_payment')
    t.equal(order.payment_status, 'processing')
    await p.advance('30s')
    t.equal(p.order(order.id).status, 'pending_payment', 'payment.succeeded is held')
    const operator = p.client()
    await operator.createRefund(order.payment_id as string, { merchant_refund_id: `ops-${order.id}`, amount })
    await p.advance()
    t.same(await applied(p, order.id), ['refund.succeeded', 'payment.succeeded'], 'the refund\'s event first')
    t.same(await deliveries(p), ['payment.succeeded:200', 'refund.succeeded:200'])
    const after = p.order(order.id)
    t.equal(after.status, expected)
    t.equal(after.amount_refunded, amount)
    t.equal(after.payment_status, 'succeeded')
    t.equal(after.refunds.length, 1)
  })
}

t.test('the shop never learned the payment (answer lost, queries failing): the refund event still lands', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  await p.rule({ match: { method: 'POST', path: '/v1/payments' }, fault: 'response_lost', times: 1 })
  await p.rule({ match: { method: 'POST', path: '/v1/payments' }, fault: 'http_500' })
  await p.rule({ match: { method: 'GET', path: '/v1/payments/order/*' }, fault: 'http_500' })
  const order = await p.checkout({ amount: 1500, metadata: { paylab_notification: 'out_of_order' } })
  t.equal(order.status, 'pending_payment')
  t.equal(order.payment_id, null, 'no trustworthy answer, no query')
  await p.admin('DELETE', `/admin/rules?merchant_id=${p.merchant.id}`)
  const [payment] = p.payments(order.id)
  if (payment === undefined) return t.fail('the create was committed')
  t.equal(payment.status, 'succeeded')
  await p.client().createRefund(payment.id, { merchant_refund_id: `ops-${order.id}`, amount: 600 })
  await p.advance()
  t.same(await applied(p, order.id), ['refund.succeeded', 'payment.succeeded'], 'the refund\'s event first')
  t.same(await deliveries(p), ['payment.succeeded:200', 'refund.succeeded:200'])
  const after = p.order(order.id)
  t.equal(after.payment_id, payment.id, 'found through the refund\'s payment')
  t.equal(after.status, 'partially_refunded')
  t.equal(after.amount_refunded, 600)
  t.same(after.refunds.map((r) => r.amount), [600])
  t.equal(p.payments(order.id).length, 1, 'one payment all along')
})
