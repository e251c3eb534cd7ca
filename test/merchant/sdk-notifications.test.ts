// verifyNotification on real gateway notifications (HMAC with the merchant secret, RSA with the
// fetched gateway keys) caught by a real receiver, and on notifications made broken on purpose
// with buildNotification, which is what teams use to test their own receivers.
import t from 'tap'
import { spareKeyPair } from '../helpers/fixture-keys.js'
import { buildNotification, PaylabSignatureError, verifyNotification, type Breakage, type PaylabEvent } from '../../merchant/sdk/index.js'
import { gatewayBench } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'
import { receiver } from '../helpers/receiver.js'

const wallet = (order: string) => ({ merchant_order_id: order, amount: 1999, currency: 'USD', method: { type: 'wallet' as const, wallet: { provider: 'alipay' } } })

const event: PaylabEvent = {
  id: 'evt_test0000000000000001',
  object: 'event',
  type: 'payment.succeeded',
  created: '2030-01-01T00:00:00.000Z',
  data: { object: { id: 'pay_test', object: 'payment', merchant_order_id: 'o-1', amount: 1999, status: 'succeeded' } as never }
}

t.test('a real HMAC notification from the gateway verifies; the receiver\'s headers as node gives them', async (t) => {
  const b = await gatewayBench(t, { virtual: true, gateway: PAYLAB_ONLY })
  const rx = await receiver(t, { now: b.now })
  await b.admin('PATCH', `/admin/merchants/${b.merchant.id}`, { notify_url: rx.url })
  const client = b.client()
  const payment = await client.createPayment({ ...wallet('order-n1'), capture: 'manual' })
  await b.gw.cashier(payment.id, { action: 'pass' })
  await b.gw.advance('0s')
  const [first] = await rx.waitFor(1)
  if (first === undefined) return t.fail('no notification')
  // Signed on real time, whatever the gateway's business clock says.
  const got = verifyNotification(first.body, first.headers, { secret: b.merchant.secret })
  t.equal(got.type, 'payment.authorized')
  t.equal(got.id, first.headers['paylab-event-id'])
  t.equal((got.data.object as { id: string }).id, payment.id)
  t.throws(() => verifyNotification(first.body, first.headers, { secret: 'other' }), PaylabSignatureError)
  t.throws(() => verifyNotification(first.body, first.headers, { secret: b.merchant.secret, now: () => Date.now() + 310_000 }), PaylabSignatureError, 'too old by the receiver\'s clock')
  t.throws(() => verifyNotification(Buffer.concat([first.body, Buffer.from(' ')]), first.headers, { secret: b.merchant.secret }), PaylabSignatureError, 'raw bytes, not re-serialized JSON')
})

t.test('a real RSA notification verifies with the gateway keys from GET /v1/keys', async (t) => {
  const b = await gatewayBench(t, { virtual: true, gateway: PAYLAB_ONLY })
  const rx = await receiver(t, { now: b.now })
  await b.admin('PATCH', `/admin/merchants/${b.merchant.id}`, { notify_url: rx.url, answer_signature_type: 'RSA-SHA256' })
  const client = b.client()
  const payment = await client.createPayment(wallet('order-n2'))
  await b.gw.cashier(payment.id, { action: 'pass' })
  await b.gw.advance('0s')
  const [first] = await rx.waitFor(1)
  if (first === undefined) return t.fail('no notification')
  t.equal(first.headers['paylab-signature-type'], 'RSA-SHA256')
  const gatewayKeys = await client.refreshKeys()
  t.equal(verifyNotification(first.body, first.headers, { gatewayKeys }).type, 'payment.succeeded')
  t.throws(() => verifyNotification(first.body, first.headers, { secret: b.merchant.secret }), /not a known gateway key/)
})

t.test('buildNotification (HMAC): valid accepted, with its own header casing; each breakage refused', async (t) => {
  const secret = 'whsec-test'
  const now = () => Date.parse('2030-01-01T00:00:30Z')
  const good = buildNotification(event, { secret }, { now: now() })
  t.equal(verifyNotification(good.body, good.headers, { secret, now }).id, event.id)
  t.equal(verifyNotification(good.body, new Headers(good.headers), { secret, now }).id, event.id, 'a fetch Headers too')
  for (const broken of ['bad_signature', 'stale_timestamp', 'wrong_key'] as Breakage[]) {
    const n = buildNotification(event, { secret }, { now: now(), broken })
    t.throws(() => verifyNotification(n.body, n.headers, { secret, now }), PaylabSignatureError, broken)
  }
  const other = { ...event, id: 'evt_other' }
  t.throws(() => verifyNotification(JSON.stringify(other), good.headers, { secret, now }), PaylabSignatureError, 'another body under the same headers')
  t.throws(() => verifyNotification('not json', buildNotification(event, { secret }, { now: now() }).headers, { secret, now }), PaylabSignatureError)
})

t.test('buildNotification (RSA): valid accepted with the key pinned; an unknown key id refused', async (t) => {
  const pair = spareKeyPair(0, 'pkcs1')
  const signer = { privateKey: pair.privateKey, keyId: 'key_test' }
  const gatewayKeys = [{ id: 'key_test', public_key: pair.publicKey }]
  const now = () => Date.parse('2030-01-01T00:00:30Z')
  const good = buildNotification(event, signer, { now: now(), attempt: 3 })
  t.equal(good.headers['Paylab-Delivery-Attempt'], '3')
  t.equal(verifyNotification(good.body, good.headers, { gatewayKeys, now }).type, 'payment.succeeded')
  for (const broken of ['bad_signature', 'stale_timestamp', 'wrong_key'] as Breakage[]) {
    const n = buildNotification(event, signer, { now: now(), broken })
    t.throws(() => verifyNotification(n.body, n.headers, { gatewayKeys, now }), PaylabSignatureError, broken)
  }
})
