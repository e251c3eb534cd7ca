// Each notification fault as a receiver sees it on the wire, asked for by the payment's metadata
// `paylab_notification` (the triggers themselves: notifications-triggers.test.ts).
import t from 'tap'
import { answerVerifies } from '../helpers/signer.js'
import { notifyBench, sharedNotifyBench } from '../helpers/notifications.js'
import { verifies } from '../helpers/receiver.js'

// One gateway and clock for the file, a merchant and a receiver per test.
const bench = sharedNotifyBench()
const fault = (text: string) => ({ metadata: { paylab_notification: text } })

t.test('drop: never sent, and the log says dropped', async (t) => {
  const b = await bench(t)
  const payment = await b.pay(fault('drop'))
  await b.gw.advance('1d')
  t.equal(b.rx.requests.length, 0, 'nothing on the wire in a day')
  const [event] = await b.events()
  t.equal(event.status, 'dropped')
  t.equal(event.fault, 'drop')
  t.same(event.attempts, [])
  t.equal(event.next_attempt_at, null)
  t.equal((await b.gw.payment(payment.id, b.shop)).status, 'succeeded', 'the merchant finds out by querying')
})

t.test('delay: the first attempt waits its duration on the gateway clock', async (t) => {
  const b = await bench(t)
  await b.pay(fault('delay;10m'))
  const t0 = b.now()
  await b.gw.advance('9m59s')
  t.equal(b.rx.requests.length, 0, 'not at 9 min 59 s')
  await b.gw.advance('1s')
  t.equal(b.rx.requests.length, 1, 'at 10 min')
  t.equal((b.rx.requests[0]?.at ?? 0) - t0, 600_000)
  const [event] = await b.events()
  t.equal(event.fault, 'delay;600000ms')
  t.equal(event.attempts[0].fault, 'delay;600000ms')
  t.equal(event.status, 'delivered')
})

t.test('duplicate;3: three deliveries of one event, and no more', async (t) => {
  const b = await bench(t)
  await b.pay(fault('duplicate;3'))
  await b.gw.advance('1d')
  t.equal(b.rx.requests.length, 3)
  t.equal(new Set(b.rx.requests.map((r) => r.headers['paylab-event-id'])).size, 1, 'one event id')
  t.equal(new Set(b.rx.requests.map((r) => r.text)).size, 1, 'one body')
  t.ok(b.rx.requests.every((r) => answerVerifies(r.headers, r.body, { secret: b.shop.secret })), 'each copy is signed right')
  const [event] = await b.events()
  t.equal(event.status, 'delivered')
  t.same(event.attempts.map((a: any) => a.status_code), [200, 200, 200])
})

t.test('duplicate: copies already acknowledged keep the event delivered when a later copy fails', async (t) => {
  const b = await bench(t)
  let n = 0
  b.rx.answer = () => ++n === 1 ? 200 : 500
  await b.pay(fault('duplicate;2'))
  await b.gw.advance('1d')
  t.equal(b.rx.requests.length, 2, 'the event was acknowledged once: nothing is sent after the copies')
  const [event] = await b.events()
  t.equal(event.status, 'delivered')
})

t.test('out_of_order: the payment.succeeded event arrives after the refund\'s', async (t) => {
  const b = await bench(t)
  const payment = await b.pay(fault('out_of_order'))
  await b.gw.advance('10s')
  t.equal(b.rx.requests.length, 0, 'held while nothing follows')
  // A slow receiver: the held event must wait for the refund's answer, not race it.
  b.rx.answer = async () => await new Promise((resolve) => setTimeout(() => resolve(200), 100))
  await b.post(`/v1/payments/${payment.id}/refunds`, { merchant_refund_id: `r-${payment.id}`, amount: 500 })
  await b.gw.advance('0s')
  t.same(b.rx.requests.map((r) => r.json().type), ['refund.succeeded', 'payment.succeeded'])
  const [refund, paid] = b.rx.requests.map((r) => r.arrived)
  t.ok((paid ?? 0) - (refund ?? 0) >= 90, 'sent once the refund event was answered')
  const held = (await b.events('type=payment.succeeded'))[0]
  t.equal(held.status, 'delivered')
  t.equal(held.fault, 'out_of_order')
})

t.test('out_of_order with nothing after it goes after 60 s', async (t) => {
  const b = await bench(t)
  await b.pay(fault('out_of_order'))
  const t0 = b.now()
  const [held] = await b.events()
  t.equal(held.status, 'held')
  t.equal(Date.parse(held.next_attempt_at) - t0, 60_000)
  await b.gw.advance('59s')
  t.equal(b.rx.requests.length, 0)
  await b.gw.advance('1s')
  t.equal(b.rx.requests.length, 1)
  t.equal((b.rx.requests[0]?.at ?? 0) - t0, 60_000)
})

t.test('before_answer: the receiver has the event before the create\'s answer reaches the client', async (t) => {
  // Its own gateway: the slow receiver still has the plain create's event when the test ends.
  const b = await notifyBench(t)
  // The receiver takes 150 ms to answer: a create that waits for it cannot answer sooner.
  b.rx.answer = async () => await new Promise((resolve) => setTimeout(() => resolve(200), 150))
  const started = performance.now()
  const out = await b.gw.answer({ method: 'POST', path: '/v1/payments', body: b.gw.cardPayment('4242424242424242', fault('before_answer')) }, b.shop)
  const answeredAt = started + out.firstByteMs
  t.equal(out.status, 201)
  t.equal(b.rx.requests.length, 1)
  t.ok((b.rx.requests[0]?.arrived ?? Infinity) < answeredAt, 'the event arrived first')
  t.ok(out.firstByteMs >= 140, `the answer waited for the delivery (${Math.round(out.firstByteMs)} ms)`)
  t.equal(b.rx.requests[0]?.json().data.object.id, out.json().id)
  // Without the fault the answer does not wait for the receiver, here a very slow one.
  b.rx.answer = async () => await new Promise((resolve) => setTimeout(() => resolve(200), 2000))
  const plain = await b.gw.answer({ method: 'POST', path: '/v1/payments', body: b.gw.cardPayment('4242424242424242') }, b.shop)
  t.ok(plain.firstByteMs < 1500, `a plain create answers at once (${Math.round(plain.firstByteMs)} ms)`)
})

for (const [name, signing] of [
  ['bad_signature', 'a signature that does not verify'],
  ['stale_timestamp', 'a timestamp an hour old'],
  ['unknown_key', 'an RSA key id that /v1/keys does not list'],
  ['tampered_body', 'a body that is not the one signed']
] as const) {
  t.test(`${name}: the first attempt carries ${signing}; a correct receiver refuses it and the retry verifies`, async (t) => {
    const b = await bench(t)
    b.verifyingAnswer()
    await b.pay(fault(name))
    await b.gw.advance('15s')
    const [first, retry] = b.rx.requests
    if (first === undefined || retry === undefined) return t.fail(`two attempts, got ${b.rx.requests.length}`)
    t.equal(first.status, 400, 'the first attempt fails verification')
    t.equal(retry.status, 200, 'the retry verifies')
    t.equal(retry.at - first.at, 15_000, 'on the schedule')
    const keys = { secret: b.shop.secret, gatewayKeys: b.gatewayKeys }
    t.notOk(verifies(first, keys, Date.now), 'refused by the checks of docs/notifications.md')
    const [event] = await b.events()
    t.equal(event.status, 'delivered')
    t.same(event.attempts.map((a: any) => [a.fault, a.status_code]), [[name, 400], [null, 200]])
    const h = first.headers
    if (name === 'bad_signature') {
      t.equal(first.text, retry.text)
      t.notOk(answerVerifies(h, first.body, { secret: b.shop.secret }))
    } else if (name === 'stale_timestamp') {
      const age = Date.now() / 1000 - Number(h['paylab-timestamp'])
      t.ok(age >= 3599 && age <= 3610, `an hour old (${Math.round(age)} s)`)
      t.ok(answerVerifies(h, first.body, { secret: b.shop.secret }), 'the signature itself is right: only the time gives it away')
    } else if (name === 'unknown_key') {
      t.equal(h['paylab-signature-type'], 'RSA-SHA256', 'RSA even for an HMAC merchant')
      t.notOk(Object.hasOwn(b.gatewayKeys, String(h['paylab-key-id'])), `${String(h['paylab-key-id'])} is no gateway key`)
      t.equal(retry.headers['paylab-signature-type'], 'HMAC-SHA256')
    } else {
      t.not(first.text, retry.text, 'the body was changed')
      t.ok(answerVerifies(h, retry.body, { secret: b.shop.secret }), 'the signature is the original body\'s')
      const [sent, real] = [first.json().data.object, retry.json().data.object]
      t.equal(sent.amount, real.amount + 100)
      t.not(sent.status, real.status)
    }
  })
}
