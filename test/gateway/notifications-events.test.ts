// Which changes become which events: every final or capture-relevant change of a payment or a
// refund, and nothing for a payment still waiting for the buyer.
import t from 'tap'
import { methodPayment } from '../helpers/live.js'
import { sharedNotifyBench, type NotifyBench } from '../helpers/notifications.js'

// One gateway and clock for the file, a merchant and a receiver per test.
const bench = sharedNotifyBench()

/** The events the receiver got, oldest first, as [type, status of data.object]. */
const seen = (b: NotifyBench): Array<[string, string]> => b.rx.requests.map((r) => [r.json().type, r.json().data.object.status])

t.test('payment.succeeded and payment.failed for card payments decided at once', async (t) => {
  const b = await bench(t)
  await b.pay()
  const declined = await b.pay({}, '4000000000000002')
  await b.gw.advance('0s')
  t.same(seen(b), [['payment.succeeded', 'succeeded'], ['payment.failed', 'failed']])
  const failed = b.rx.requests[1]?.json().data.object
  t.equal(failed.id, declined.id)
  t.equal(failed.failure.code, 'card_declined')
})

t.test('manual capture: payment.authorized, then payment.captured', async (t) => {
  const b = await bench(t)
  const payment = await b.pay({ capture: 'manual' })
  await b.gw.advance('0s')
  t.same(seen(b), [['payment.authorized', 'authorized']])
  await b.post(`/v1/payments/${payment.id}/capture`, { amount: 1500 })
  await b.gw.advance('0s')
  t.same(seen(b)[1], ['payment.captured', 'succeeded'])
  t.equal(b.rx.requests[1]?.json().data.object.amount_captured, 1500)
})

t.test('payment.canceled when the merchant cancels an authorization', async (t) => {
  const b = await bench(t)
  const payment = await b.pay({ capture: 'manual' })
  await b.post(`/v1/payments/${payment.id}/cancel`)
  await b.gw.advance('0s')
  t.same(seen(b), [['payment.authorized', 'authorized'], ['payment.canceled', 'canceled']])
  t.equal(b.rx.requests[1]?.json().data.object.cancellation_reason, 'requested_by_merchant')
})

t.test('payment.expired when the buyer never acts, on the gateway clock', async (t) => {
  const b = await bench(t)
  const payment = await b.gw.create(methodPayment('wallet', 1999), {}, b.shop)
  t.equal(payment.status, 'requires_action')
  await b.gw.advance('14m')
  t.equal(b.rx.requests.length, 0, 'nothing while the payment waits for the buyer')
  await b.gw.advance('2m')
  t.same(seen(b), [['payment.expired', 'canceled']])
  const event = b.rx.requests[0]?.json()
  t.equal(event.data.object.cancellation_reason, 'expired')
  t.equal(event.created, payment.expires_at, 'made when the payment expired')
})

t.test('a payment waiting for the buyer notifies once the buyer acts', async (t) => {
  const b = await bench(t)
  const approved = await b.gw.create(methodPayment('wallet', 1999), {}, b.shop)
  const refused = await b.gw.create(methodPayment('wallet', 1999), {}, b.shop)
  await b.gw.advance('0s')
  t.equal(b.rx.requests.length, 0, 'requires_action is no event')
  await b.gw.cashier(approved.id, { action: 'pass' })
  await b.gw.cashier(refused.id, { action: 'fail' })
  await b.gw.advance('0s')
  t.same(seen(b).sort(), [['payment.failed', 'failed'], ['payment.succeeded', 'succeeded']])
})

t.test('a processing payment notifies when it resolves', async (t) => {
  const b = await bench(t)
  const payment = await b.gw.create(methodPayment('wallet', 40100), {}, b.shop)
  t.equal(payment.status, 'processing')
  await b.gw.advance('29s')
  t.equal(b.rx.requests.length, 0)
  await b.gw.advance('1s')
  t.same(seen(b), [['payment.succeeded', 'succeeded']])
})

t.test('refund.succeeded carries the refund; the log files it under its payment', async (t) => {
  const b = await bench(t)
  const payment = await b.pay()
  const refund = await b.post(`/v1/payments/${payment.id}/refunds`, { merchant_refund_id: `r-${payment.id}`, amount: 700, reason: 'requested_by_customer' })
  await b.gw.advance('0s')
  t.same(seen(b), [['payment.succeeded', 'succeeded'], ['refund.succeeded', 'succeeded']])
  const event = b.rx.requests[1]?.json()
  t.equal(event.data.object.object, 'refund')
  t.equal(event.data.object.id, refund.id)
  t.equal(event.data.object.amount, 700)
  t.equal(event.data.object.payment_id, payment.id)
  const [logged] = await b.events('type=refund.succeeded')
  t.equal(logged.payment_id, payment.id)
  t.equal(logged.merchant_order_id, payment.merchant_order_id)
})

t.test('a repeated request changes nothing and sends nothing', async (t) => {
  const b = await bench(t)
  const body = b.gw.cardPayment('4242424242424242')
  await b.gw.create(body, {}, b.shop)
  const again = await b.gw.answer({ method: 'POST', path: '/v1/payments', body }, b.shop)
  t.equal(again.status, 200, 'the same order again')
  await b.gw.advance('1h')
  t.equal(b.rx.requests.length, 1)
})
