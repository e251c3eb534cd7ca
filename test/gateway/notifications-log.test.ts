// The delivery log (GET /admin/events) and the operator's levers: resend and deliver-due.
import t from 'tap'
import type { CryptoProvider } from '../../gateway/engine/crypto.js'
import { testCrypto } from '../helpers/build.js'
import { notifyBench, offsets, sharedNotifyBench } from '../helpers/notifications.js'

// One gateway and clock for the file, a merchant and a receiver per test.
const bench = sharedNotifyBench()

t.test('the log tells the whole story: each attempt with its time, status, latency, error and next attempt', async (t) => {
  // A timeout long enough that a loaded machine never times out the answers that do come.
  const b = await notifyBench(t, {}, { config: { notifyTimeoutMs: 1000 } })
  const answers = [500, 'hang', 200] as const
  b.rx.answer = () => answers[b.rx.requests.length - 1] ?? 200
  const payment = await b.pay()
  const t0 = b.now()
  await b.gw.advance('1m')
  const [event] = await b.events()
  t.match(event, {
    object: 'event', type: 'payment.succeeded', merchant_id: b.shop.merchant, payment_id: payment.id,
    merchant_order_id: payment.merchant_order_id, created: new Date(t0).toISOString(), notify_url: b.rx.url,
    status: 'delivered', fault: null, next_attempt_at: null
  })
  t.equal(event.payload.id, event.id, 'payload is the event body')
  t.same(offsets(event), [0, 15, 30])
  const [failed, hung, landed] = event.attempts
  t.match(failed, { attempt: 1, url: b.rx.url, status_code: 500, error: 'HTTP 500', fault: null, next_attempt_at: new Date(t0 + 15_000).toISOString() })
  t.match(hung, { attempt: 2, status_code: null, error: 'no answer within 1000 ms', next_attempt_at: new Date(t0 + 30_000).toISOString() })
  t.match(landed, { attempt: 3, status_code: 200, error: null, next_attempt_at: null })
  t.ok(hung.latency_ms >= 990, `the hang took its ${hung.latency_ms} ms`)
  t.ok(failed.latency_ms >= 0 && failed.latency_ms < hung.latency_ms, 'latency is real time spent')
  t.equal(event.delivered_at, landed.at)
  t.same(await b.event(event.id), event, 'GET /admin/events/{id} shows the same')
})

t.test('the log lists newest first and filters by merchant, payment, type and status', async (t) => {
  const b = await bench(t)
  const first = await b.pay({ capture: 'manual' })
  await b.post(`/v1/payments/${first.id}/capture`)
  const second = await b.pay({}, '4000000000000002')
  await b.gw.advance('0s')
  const all = await b.events()
  t.same(all.map((e) => e.type), ['payment.failed', 'payment.captured', 'payment.authorized'])
  t.same((await b.events(`payment_id=${first.id}`)).map((e) => e.type), ['payment.captured', 'payment.authorized'])
  t.same((await b.events('type=payment.failed')).map((e) => e.payment_id), [second.id])
  t.same((await b.events('limit=1')).map((e) => e.id), [all[0].id])
  t.equal((await b.events('status=delivered')).length, 3)
  t.equal((await b.events('status=pending')).length, 0)
  const other = await b.gw.admin({ method: 'GET', url: '/admin/events?merchant_id=demo' })
  t.same(other.json().data, [], 'another merchant\'s log is empty')
  const bad = await b.gw.admin({ method: 'GET', url: '/admin/events?status=lost' })
  t.equal(bad.statusCode, 400)
  const missing = await b.gw.admin({ method: 'GET', url: '/admin/events/evt_doesnotexist00' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().error.code, 'PAYLAB_EVENT_NOT_FOUND')
  const anonymous = await b.gw.app.inject({ method: 'GET', url: '/admin/events' })
  t.equal(anonymous.statusCode, 401, 'the log needs the admin token')
})

t.test('resend sends an event again now, whatever its state, and answers after the attempt', async (t) => {
  const b = await bench(t, { notify_retry_schedule: [1] })
  await b.pay()
  await b.gw.advance('0s')
  const [delivered] = await b.events()
  const again = await b.gw.admin({ method: 'POST', url: `/admin/events/${delivered.id}/resend` })
  t.equal(again.statusCode, 200, again.body)
  t.equal(b.rx.requests.length, 2)
  t.equal(b.rx.requests[1]?.headers['paylab-event-id'], delivered.id)
  t.equal(b.rx.requests[1]?.headers['paylab-delivery-attempt'], '2')
  t.equal(b.rx.requests[1]?.text, b.rx.requests[0]?.text, 'the same body')
  t.equal(again.json().attempts.length, 2, 'the answer has the new attempt')
  t.equal(again.json().status, 'delivered')

  b.rx.answer = () => 500
  await b.pay()
  await b.gw.advance('1m')
  const [failed] = await b.events('status=failed')
  t.equal(failed.attempts.length, 2)
  const stillFailing = await b.gw.admin({ method: 'POST', url: `/admin/events/${failed.id}/resend` })
  t.equal(stillFailing.json().status, 'failed', 'a failed resend changes nothing but the log')
  t.equal(stillFailing.json().attempts.length, 3)
  b.rx.answer = () => 200
  const rescued = await b.gw.admin({ method: 'POST', url: `/admin/events/${failed.id}/resend` })
  t.equal(rescued.json().status, 'delivered')

  await b.pay({ metadata: { paylab_notification: 'drop' } })
  const [dropped] = await b.events('status=dropped')
  const undropped = await b.gw.admin({ method: 'POST', url: `/admin/events/${dropped.id}/resend` })
  t.equal(undropped.json().status, 'delivered', 'even a dropped event')
  t.equal(b.rx.of(dropped.id).length, 1)
  await b.gw.advance('1d')
  t.equal(b.rx.requests.length, 7, 'and nothing follows a resend')
  const missing = await b.gw.admin({ method: 'POST', url: '/admin/events/evt_doesnotexist00/resend' })
  t.equal(missing.json().error.code, 'PAYLAB_EVENT_NOT_FOUND')
})

t.test('deliver-due attempts every pending event now, for one merchant or all', async (t) => {
  const b = await bench(t)
  b.rx.answer = () => 500
  await b.pay()
  await b.pay()
  await b.gw.advance('0s')
  t.equal(b.rx.requests.length, 2)
  b.rx.answer = () => 200
  const none = await b.gw.admin({ method: 'POST', url: '/admin/events/deliver-due', payload: { merchant_id: 'demo' } })
  t.same(none.json(), { attempted: 0 }, 'the demo merchant has nothing pending')
  const res = await b.gw.admin({ method: 'POST', url: '/admin/events/deliver-due', payload: { merchant_id: b.shop.merchant } })
  t.same(res.json(), { attempted: 2 })
  t.equal(b.rx.requests.length, 4, 'both sent at once, without the clock')
  t.same((await b.events()).map((e) => e.status), ['delivered', 'delivered'])
  const empty = await b.gw.admin({ method: 'POST', url: '/admin/events/deliver-due' })
  t.same(empty.json(), { attempted: 0 }, 'nothing pending is left')
  await b.gw.advance('1d')
  t.equal(b.rx.requests.length, 4, 'the retries that were scheduled do not come on top')
})

t.test('deliver-due sends a payment\'s events in order, though the first one\'s RSA signature comes last', async (t) => {
  // RSA signatures come from the provider's async form (the worker pool in a real gateway); here
  // the first one asked for once `slow` is set takes 50 ms longer than the others.
  let slow = false
  const crypto: CryptoProvider = {
    ...testCrypto,
    rsaSha256SignAsync: async (pem, data) => {
      if (slow) { slow = false; await new Promise((resolve) => setTimeout(resolve, 50)) }
      return testCrypto.rsaSha256Sign(pem, data)
    }
  }
  const b = await notifyBench(t, { answer_signature_type: 'RSA-SHA256' }, { crypto })
  b.rx.answer = () => 500
  const payment = await b.pay()
  await b.post(`/v1/payments/${payment.id}/refunds`, { merchant_refund_id: `r-${payment.id}` })
  await b.gw.advance('0s')
  t.same(b.rx.requests.map((r) => r.json().type), ['payment.succeeded', 'refund.succeeded'], 'both tried once, and failed')
  b.rx.answer = () => 200
  slow = true
  const res = await b.gw.admin({ method: 'POST', url: '/admin/events/deliver-due' })
  t.same(res.json(), { attempted: 2 })
  t.same(b.rx.requests.slice(2).map((r) => r.json().type), ['payment.succeeded', 'refund.succeeded'], 'the payment\'s event first, as it was made')
  t.same((await b.events()).map((e) => e.status), ['delivered', 'delivered'])
})

t.test('after deliver-due a failing event goes on with its schedule once, from then on', async (t) => {
  // Its own gateway: it leaves a delivery due (sharedNotifyBench).
  const b = await notifyBench(t)
  b.rx.answer = () => 500
  await b.pay()
  await b.gw.advance('10s')
  await b.gw.admin({ method: 'POST', url: '/admin/events/deliver-due' })
  await b.gw.advance('1m')
  const [event] = await b.events()
  // Attempt 1 at 0, attempt 2 by hand at 10 s, then 15 s and 30 s after that.
  t.same(offsets(event), [0, 10, 25, 55])
  t.equal(b.rx.requests.length, 4)
})

t.test('a held event that was resent is not sent again when the next event releases it', async (t) => {
  const b = await bench(t)
  const payment = await b.pay({ metadata: { paylab_notification: 'out_of_order' } })
  const [held] = await b.events()
  t.equal(held.status, 'held')
  const resent = await b.gw.admin({ method: 'POST', url: `/admin/events/${held.id}/resend` })
  t.equal(resent.json().status, 'delivered')
  await b.post(`/v1/payments/${payment.id}/refunds`, { merchant_refund_id: `r-${payment.id}` })
  await b.gw.advance('1h')
  t.equal(b.rx.of(held.id).length, 1, 'the acknowledged event came once')
  t.equal((await b.event(held.id)).status, 'delivered')
  t.same(b.rx.requests.map((r) => r.json().type), ['payment.succeeded', 'refund.succeeded'])
})
