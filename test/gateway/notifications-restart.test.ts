// The outbox is stored with the payments: a gateway stopped with retries, delays or held events
// pending picks them up when it starts again on the same data dir.
import t, { type Test } from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { buildGateway } from '../../gateway/server.js'
import { PAYLAB_ONLY, testCrypto } from '../helpers/build.js'
import { encryptCard, card } from '../helpers/envelope.js'
import { receiver } from '../helpers/receiver.js'
import { signRequest, type Credentials } from '../helpers/signer.js'

type Gateway = Awaited<ReturnType<typeof buildGateway>>

/** One data dir, one clock that carries on across restarts, one receiver. */
async function bench (t: Test) {
  const dataDir = await mkdtemp(join(tmpdir(), 'paylab-outbox-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  // Each start gets a new VirtualClock that carries on from the last one's time.
  let clock = new VirtualClock()
  const now = (): number => clock.now()
  const rx = await receiver(t, { now })
  let current: Gateway | undefined
  t.teardown(() => current?.app.close())
  const start = async (): Promise<Gateway> => {
    clock = new VirtualClock(clock.now())
    current = await buildGateway({ ...PAYLAB_ONLY, dataDir, clock, crypto: testCrypto })
    return current
  }
  const stop = async (): Promise<void> => { await current?.app.close(); current = undefined }
  const admin = (gw: Gateway, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    gw.app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${gw.engine.adminToken}` } })
  const advance = async (gw: Gateway, duration: string) => {
    const res = await admin(gw, 'POST', '/admin/clock/advance', { duration })
    if (res.statusCode !== 200) throw new Error(`advance answered ${res.statusCode}: ${res.body}`)
  }
  const pay = async (gw: Gateway, shop: Credentials, extra: Record<string, unknown> = {}) => {
    const key = gw.engine.keys().data[0] as { id: string, public_key: string }
    const body = { merchant_order_id: `restart-${Math.random()}`, amount: 1999, currency: 'USD', method: { type: 'card', card: { encrypted: encryptCard(key, card('4242424242424242')) } }, ...extra }
    const { headers, payload } = signRequest(shop, { method: 'POST', path: '/v1/payments', body, timestamp: Math.floor(now() / 1000) })
    const res = await gw.app.inject({ method: 'POST', url: '/v1/payments', headers, payload })
    if (res.statusCode !== 201) throw new Error(`create answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }
  const merchant = async (gw: Gateway): Promise<Credentials> => {
    const res = await admin(gw, 'POST', '/admin/merchants', { notify_url: rx.url })
    return { merchant: res.json().id, secret: res.json().hmac_secret }
  }
  return { rx, start, stop, admin, advance, pay, merchant, at: now }
}

const eventOf = async (b: Awaited<ReturnType<typeof bench>>, gw: Gateway, shop: Credentials) =>
  (await b.admin(gw, 'GET', `/admin/events?merchant_id=${shop.merchant}`)).json().data[0]

t.test('a retry that was due when the gateway stopped happens after it starts again', async (t) => {
  const b = await bench(t)
  const first = await b.start()
  const shop = await b.merchant(first)
  b.rx.answer = () => 500
  await b.pay(first, shop)
  await b.advance(first, '0s')
  t.equal(b.rx.requests.length, 1, 'the first attempt failed')
  const t0 = b.rx.requests[0]?.at ?? 0
  await b.stop()

  b.rx.answer = () => 200
  const second = await b.start()
  const pending = await eventOf(b, second, shop)
  t.equal(pending.status, 'pending', 'the stored event is still pending')
  t.equal(pending.attempts.length, 1)
  await b.advance(second, '14s')
  t.equal(b.rx.requests.length, 1, 'not before its time')
  await b.advance(second, '1s')
  t.equal(b.rx.requests.length, 2, 'the retry came')
  t.equal((b.rx.requests[1]?.at ?? 0) - t0, 15_000, 'at 15 s, as scheduled before the restart')
  t.equal(b.rx.requests[1]?.headers['paylab-delivery-attempt'], '2', 'attempts count on')
  const done = await eventOf(b, second, shop)
  t.equal(done.status, 'delivered')
  t.equal(done.attempts.length, 2)
})

t.test('a delayed first attempt survives a restart', async (t) => {
  const b = await bench(t)
  const first = await b.start()
  const shop = await b.merchant(first)
  await b.pay(first, shop, { metadata: { paylab_notification: 'delay;10m' } })
  const t0 = b.at()
  await b.advance(first, '5m')
  t.equal(b.rx.requests.length, 0)
  await b.stop()
  const second = await b.start()
  await b.advance(second, '10m')
  t.equal(b.rx.requests.length, 1)
  t.equal((b.rx.requests[0]?.at ?? 0) - t0, 600_000, 'sent at 10 min on the gateway clock')
  t.equal((await eventOf(b, second, shop)).status, 'delivered')
})

t.test('a held (out_of_order) event is still released by the next event after a restart', async (t) => {
  const b = await bench(t)
  const first = await b.start()
  const shop = await b.merchant(first)
  const payment = await b.pay(first, shop, { capture: 'manual', metadata: { paylab_notification: 'out_of_order' } })
  await b.advance(first, '10s')
  t.equal(b.rx.requests.length, 0, 'payment.authorized is held')
  await b.stop()
  const second = await b.start()
  const { headers, payload } = signRequest(shop, { method: 'POST', path: `/v1/payments/${payment.id}/capture`, body: {}, timestamp: Math.floor(b.at() / 1000) })
  t.equal((await second.app.inject({ method: 'POST', url: `/v1/payments/${payment.id}/capture`, headers, payload })).statusCode, 200)
  await b.advance(second, '0s')
  t.same(b.rx.requests.map((r) => r.json().type), ['payment.captured', 'payment.authorized'])
})

t.test('an attempt under way when the gateway stops is made again after it starts', async (t) => {
  const b = await bench(t)
  const first = await b.start()
  const shop = await b.merchant(first)
  b.rx.answer = () => 'hang'
  await b.pay(first, shop)
  await b.rx.waitFor(1)
  await b.stop() // with the attempt still waiting for the receiver
  // The abandoned attempt records nothing (the store is closed): nothing to wait for.
  b.rx.answer = () => 200
  const second = await b.start()
  await b.advance(second, '0s')
  t.equal(b.rx.requests.length, 2, 'sent again')
  const event = await eventOf(b, second, shop)
  t.equal(event.status, 'delivered')
  t.equal(event.attempts.length, 1, 'only the attempt that finished is in the log')
})
