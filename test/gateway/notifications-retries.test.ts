// Retries on the gateway clock: a receiver that fails gets the attempts of the schedule, at exactly
// its times, until it answers 2xx or the schedule runs out; nothing acknowledged comes again.
import t from 'tap'
import { createServer } from 'node:http'
import { cumulative, DEFAULT_SCHEDULE, notifyBench, offsets, sharedNotifyBench } from '../helpers/notifications.js'

// One gateway and clock for the file, a merchant and a receiver per test.
const bench = sharedNotifyBench()

t.test('a failing receiver gets the default schedule to the second, then a 2xx ends it', async (t) => {
  const b = await bench(t)
  b.rx.answer = () => 500
  await b.pay()
  await b.gw.advance('1d')
  const due = cumulative(DEFAULT_SCHEDULE)
  // The 16th attempt is due 24 h 4 min after the first: one day holds 15.
  t.equal(b.rx.requests.length, 15, 'fifteen attempts in the first day')
  const first = b.rx.requests[0]?.at ?? 0
  t.same(b.rx.requests.map((r) => (r.at - first) / 1000), due.slice(0, 15), 'the receiver saw them at the schedule\'s times')
  t.same(b.rx.requests.map((r) => r.headers['paylab-delivery-attempt']), due.slice(0, 15).map((_, i) => String(i + 1)))
  t.equal(new Set(b.rx.requests.map((r) => r.headers['paylab-event-id'])).size, 1, 'one event id throughout')
  t.equal(new Set(b.rx.requests.map((r) => r.text)).size, 1, 'the same body bytes throughout')
  t.equal(new Set(b.rx.requests.map((r) => r.headers['paylab-nonce'])).size, 15, 'a fresh nonce each time')

  const [pending] = await b.events()
  t.equal(pending.status, 'pending')
  t.same(offsets(pending), due.slice(0, 15), 'the log agrees')
  for (const [i, a] of (pending.attempts as any[]).entries()) {
    t.equal(a.status_code, 500)
    t.equal(a.error, 'HTTP 500')
    t.equal(Date.parse(a.next_attempt_at) - Date.parse(a.at), (DEFAULT_SCHEDULE[i] ?? NaN) * 1000, `attempt ${i + 1} names the next`)
  }
  t.equal(pending.next_attempt_at, pending.attempts[14].next_attempt_at)

  b.rx.answer = () => 204
  await b.gw.advance('1d')
  t.equal(b.rx.requests.length, 16)
  const done = await b.event(pending.id)
  t.equal(done.status, 'delivered')
  t.equal(offsets(done)[15], due[15], 'the last attempt came on time')
  t.equal(done.delivered_at, done.attempts[15].at)
  t.equal(done.next_attempt_at, null)
  t.equal(done.attempts[15].next_attempt_at, null)
})

t.test('after 16 failed attempts the event is failed and nothing more is sent', async (t) => {
  const b = await bench(t)
  b.rx.answer = () => 503
  await b.pay()
  await b.gw.advance('2d')
  t.equal(b.rx.requests.length, 16)
  const [event] = await b.events()
  t.equal(event.status, 'failed')
  t.equal(event.next_attempt_at, null)
  t.equal(event.attempts.at(-1).next_attempt_at, null, 'the last attempt names no next one')
  t.same(offsets(event), cumulative(DEFAULT_SCHEDULE))
  t.same((await b.events('status=failed')).map((e) => e.id), [event.id], 'the log filters by status')
  await b.gw.advance('7d')
  t.equal(b.rx.requests.length, 16)
})

t.test('a merchant\'s own schedule replaces the default; a PATCH changes it', async (t) => {
  const b = await bench(t, { notify_retry_schedule: [5, 60, 600] })
  const view = await b.gw.admin({ method: 'GET', url: `/admin/merchants/${b.shop.merchant}` })
  t.same(view.json().notify_retry_schedule, [5, 60, 600])
  b.rx.answer = () => 500
  await b.pay()
  await b.gw.advance('1d')
  const [event] = await b.events()
  t.same(offsets(event), [0, 5, 65, 665])
  t.equal(event.status, 'failed', 'four attempts in all')

  const patched = await b.gw.admin({ method: 'PATCH', url: `/admin/merchants/${b.shop.merchant}`, payload: { notify_retry_schedule: [1] } })
  t.same(patched.json().notify_retry_schedule, [1])
  await b.pay()
  await b.gw.advance('1h')
  const [second] = await b.events()
  t.same(offsets(second), [0, 1])
  const reset = await b.gw.admin({ method: 'PATCH', url: `/admin/merchants/${b.shop.merchant}`, payload: { notify_retry_schedule: null } })
  t.equal(reset.json().notify_retry_schedule, null, 'null goes back to the default')
})

t.test('a schedule the admin API refuses', async (t) => {
  const b = await bench(t)
  for (const schedule of [[0], [-5], [1.5], ['15'], Array(31).fill(1), [604801]]) {
    const res = await b.gw.admin({ method: 'PATCH', url: `/admin/merchants/${b.shop.merchant}`, payload: { notify_retry_schedule: schedule } })
    t.equal(res.statusCode, 400, JSON.stringify(schedule).slice(0, 40))
    t.equal(res.json().error.code, 'PAYLAB_VALIDATION_FAILED')
  }
})

t.test('a receiver that hangs past the timeout is a failed attempt', async (t) => {
  const b = await notifyBench(t, {}, { config: { notifyTimeoutMs: 200 } })
  b.rx.answer = () => 'hang'
  await b.pay()
  await b.gw.advance('0s')
  const [event] = await b.events()
  t.equal(event.status, 'pending')
  t.equal(event.attempts[0].status_code, null)
  t.equal(event.attempts[0].error, 'no answer within 200 ms')
  t.ok(event.attempts[0].latency_ms >= 190 && event.attempts[0].latency_ms < 5000, `latency ${event.attempts[0].latency_ms} ms is the wait`)
  b.rx.answer = () => 200
  await b.gw.advance('15s')
  const retried = await b.event(event.id)
  t.equal(retried.attempts[1].at, event.attempts[0].next_attempt_at, 'retried 15 s later')
  // 200 ms is tight for a loaded machine: the answer that does come may miss it once or twice.
  await b.gw.advance('1m')
  t.equal((await b.event(event.id)).status, 'delivered', 'a retry lands')
})

t.test('a refused connection and a redirect are failed attempts too', async (t) => {
  // Its own gateway: it leaves a delivery due (sharedNotifyBench).
  const b = await notifyBench(t)
  b.rx.answer = () => 302
  await b.pay()
  await b.gw.advance('0s')
  const [redirected] = await b.events()
  t.equal(redirected.attempts[0].status_code, 302)
  t.equal(redirected.status, 'pending', 'a redirect is not followed nor taken as delivery')
  const closed = `http://127.0.0.1:${await closedPort()}/hook`
  await b.gw.admin({ method: 'PATCH', url: `/admin/merchants/${b.shop.merchant}`, payload: { notify_url: closed } })
  await b.pay()
  await b.gw.advance('0s')
  const [refused] = await b.events('status=pending&limit=1')
  t.equal(refused.attempts[0].url, closed)
  t.equal(refused.attempts[0].status_code, null)
  t.equal(refused.attempts[0].error, 'ECONNREFUSED')
})

t.test('nothing acknowledged is sent again', async (t) => {
  const b = await bench(t)
  const statuses = [200, 201, 202, 204]
  for (const status of statuses) {
    b.rx.answer = () => status
    await b.pay()
    await b.gw.advance('0s')
  }
  t.equal(b.rx.requests.length, statuses.length)
  await b.gw.advance('1d')
  t.equal(b.rx.requests.length, statuses.length, 'a day later, still one request per event')
  t.same((await b.events()).map((e) => e.status), statuses.map(() => 'delivered'))
})

/** A loopback port that nothing listens on (it was free a moment ago). */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}
