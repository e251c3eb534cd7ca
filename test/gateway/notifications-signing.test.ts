// Notifications on the wire: a real receiver gets a signed POST that verifies with the documented
// scheme (HMAC with the merchant's secret, RSA with the gateway key of GET /v1/keys).
import t from 'tap'
import { answerVerifies } from '../helpers/signer.js'
import { notifyBench, sharedNotifyBench } from '../helpers/notifications.js'
import { receiver } from '../helpers/receiver.js'

// One gateway and clock for the file, a merchant and a receiver per test.
const bench = sharedNotifyBench()

t.test('an HMAC merchant gets a signed event POST with the payment as it stands', async (t) => {
  const b = await bench(t)
  const payment = await b.pay()
  const [req] = await b.rx.waitFor(1)
  t.equal(req?.method, 'POST')
  t.equal(req?.path, '/paylab/notify')
  const h = req?.headers ?? {}
  t.match(h['content-type'], /^application\/json/)
  t.equal(h['paylab-signature-type'], 'HMAC-SHA256')
  t.equal(h['paylab-delivery-attempt'], '1')
  t.match(h['paylab-nonce'], /^[A-Za-z0-9_-]{16,64}$/)
  t.ok(Math.abs(Number(h['paylab-timestamp']) - Date.now() / 1000) <= 5, 'the timestamp is the time of sending')
  t.equal(h['paylab-key-id'], undefined, 'no key id on an HMAC signature')
  t.ok(answerVerifies(h, req?.body ?? '', { secret: b.shop.secret }), 'verifies over TIMESTAMP\\nNONCE\\nBODY\\n with the secret')
  t.notOk(answerVerifies(h, req?.body ?? '', { secret: 'another-secret-entirely' }), 'and with no other secret')
  const event = req?.json()
  t.equal(event.id, h['paylab-event-id'], 'Paylab-Event-Id is the event id of the body')
  t.match(event.id, /^evt_/)
  t.equal(event.object, 'event')
  t.equal(event.type, 'payment.succeeded')
  t.equal(event.created, new Date(b.now()).toISOString())
  t.same(event.data.object, await b.gw.payment(payment.id, b.shop), 'data.object is the payment as a query returns it')
  t.same(Object.keys(event).sort(), ['created', 'data', 'id', 'object', 'type'])
})

t.test('the delivery log shows the body that was sent, byte for byte', async (t) => {
  const b = await bench(t)
  await b.pay()
  const [req] = await b.rx.waitFor(1)
  await b.gw.advance('0s') // settles the attempt, so that the log has it
  const logged = await b.event(String(req?.headers['paylab-event-id']))
  t.equal(JSON.stringify(logged.payload), req?.text, 'payload is the body, and the body is compact JSON')
  t.equal(logged.status, 'delivered')
  t.equal(logged.attempts.length, 1)
})

t.test('an RSA merchant gets events signed by the gateway key named in Paylab-Key-Id', async (t) => {
  // Its own gateway: it leaves a delivery due (sharedNotifyBench).
  const b = await notifyBench(t, { answer_signature_type: 'RSA-SHA256' })
  b.verifyingAnswer()
  await b.pay()
  const [req] = await b.rx.waitFor(1)
  const h = req?.headers ?? {}
  t.equal(h['paylab-signature-type'], 'RSA-SHA256')
  const key = b.gatewayKeys[String(h['paylab-key-id'])]
  t.ok(key, 'the key id is one GET /v1/keys lists')
  t.ok(answerVerifies(h, req?.body ?? '', { publicKeyPem: key }), 'verifies with that public key')
  t.notOk(answerVerifies(h, Buffer.from(`${req?.text ?? ''} `), { publicKeyPem: key }), 'one byte more and it does not')
  t.notOk(answerVerifies({ ...h, 'paylab-signature-type': 'HMAC-SHA256' }, req?.body ?? '', { secret: b.shop.secret }), 'it is no HMAC')
  t.equal(req?.status, 200, 'a verifying receiver takes it')
})

t.test('after a key rotation events are signed with the new key, which /v1/keys lists', async (t) => {
  // Its own gateway: the gateway's keys are every merchant's.
  const b = await notifyBench(t, { answer_signature_type: 'RSA-SHA256' })
  const rotated = await b.gw.admin({ method: 'POST', url: '/admin/keys/rotate' })
  t.equal(rotated.statusCode, 200, 'the key is rotated')
  const newKey = rotated.json()
  t.notOk(Object.hasOwn(b.gatewayKeys, newKey.id), 'a key the bench did not know')
  await b.pay()
  const [req] = await b.rx.waitFor(1)
  t.equal(req?.headers['paylab-key-id'], newKey.id)
  t.ok(answerVerifies(req?.headers ?? {}, req?.body ?? '', { publicKeyPem: newKey.public_key }))
})

t.test('a payment\'s own notify_url wins over the merchant\'s', async (t) => {
  const b = await bench(t)
  const own = await receiver(t, { now: b.now, path: '/orders/hook' })
  const payment = await b.pay({ notify_url: own.url })
  const [req] = await own.waitFor(1)
  t.equal(req?.path, '/orders/hook')
  t.equal(req?.json().data.object.id, payment.id)
  await b.gw.advance('1h')
  t.equal(b.rx.requests.length, 0, 'the merchant\'s URL got nothing')
  const [event] = await b.events()
  t.equal(event.notify_url, own.url)
  t.equal(event.attempts[0].url, own.url)
})

t.test('a merchant without a notify_url: the event is logged and every attempt says why it failed', async (t) => {
  // Its own gateway: it leaves a delivery due (sharedNotifyBench).
  const b = await notifyBench(t)
  const patched = await b.gw.admin({ method: 'PATCH', url: `/admin/merchants/${b.shop.merchant}`, payload: { notify_url: null } })
  t.equal(patched.json().notify_url, null)
  await b.pay()
  await b.gw.advance('0s')
  const [event] = await b.events()
  t.equal(event.notify_url, null)
  t.equal(event.status, 'pending')
  t.equal(event.attempts[0].status_code, null)
  t.match(event.attempts[0].error, /no notify_url/)
  t.equal(b.rx.requests.length, 0)
})

t.test('a retry a virtual day later still verifies on a receiver with an ordinary clock', async (t) => {
  const b = await bench(t, { notify_retry_schedule: [86_400] })
  b.rx.answer = () => 503
  await b.pay()
  await b.gw.advance('0s')
  b.verifyingAnswer()
  await b.gw.advance('1d')
  const [first, retry] = b.rx.requests
  t.equal((retry?.at ?? 0) - (first?.at ?? 0), 86_400_000, 'a day later on the gateway clock')
  t.equal(retry?.status, 200, 'its timestamp is real time, within the receiver\'s window')
  t.equal((await b.events())[0].status, 'delivered')
})
