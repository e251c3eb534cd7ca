// An event's body is not kept as text: it is made again from the payment (or refund) as it was
// when the event was made. Every attempt still sends the same bytes — after the payment changed,
// after a restart — and a data dir whose events carry their body as text (as stored before) opens
// and sends those bytes unchanged.
import t, { type Test } from 'tap'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { VirtualClock } from '../../gateway/engine/clock.js'
import type { NotificationEvent } from '../../gateway/engine/types.js'
import { buildGateway } from '../../gateway/server.js'
import { JournalStore } from '../../gateway/store/journal-store.js'
import { PAYLAB_ONLY, testCrypto } from '../helpers/build.js'
import { receiver } from '../helpers/receiver.js'
import { signRequest, type Credentials } from '../helpers/signer.js'

type Gateway = Awaited<ReturnType<typeof buildGateway>>

async function bench (t: Test) {
  const dataDir = await mkdtemp(join(tmpdir(), 'paylab-bodies-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  let clock = new VirtualClock()
  const rx = await receiver(t, { now: () => clock.now() })
  let current: Gateway | undefined
  t.teardown(() => current?.app.close())
  /** `store`: a JournalStore of one's own (to compact at a chosen moment); the data dir by default. */
  const start = async (store?: JournalStore): Promise<Gateway> => {
    clock = new VirtualClock(clock.now())
    current = await buildGateway({ ...PAYLAB_ONLY, ...(store === undefined ? { dataDir } : { store }), clock, crypto: testCrypto, config: { allowPlaintextCards: true } })
    return current
  }
  const stop = async (): Promise<void> => { await current?.app.close(); current = undefined }
  const admin = async (gw: Gateway, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await gw.app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${gw.engine.adminToken}` } })
    if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }
  const signed = async (gw: Gateway, shop: Credentials, path: string, body: Record<string, unknown>) => {
    const { headers, payload } = signRequest(shop, { method: 'POST', path, body, timestamp: Math.floor(clock.now() / 1000) })
    const res = await gw.app.inject({ method: 'POST', url: path, headers, payload })
    if (res.statusCode >= 300) throw new Error(`POST ${path} answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }
  const merchant = async (gw: Gateway): Promise<Credentials> => {
    const made = await admin(gw, 'POST', '/admin/merchants', { notify_url: rx.url })
    return { merchant: made.id, secret: made.hmac_secret }
  }
  /** An authorized card payment (manual capture): its payment.authorized event is due now. */
  const authorize = (gw: Gateway, shop: Credentials) => signed(gw, shop, '/v1/payments', {
    merchant_order_id: `bodies-${Math.random()}`, amount: 2500, currency: 'EUR', capture: 'manual', description: 'a body "quoted" é',
    metadata: { note: 'ünïcode ✓', '10': 'a numeric key' }, method: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' } }
  })
  return { rx, dataDir, start, stop, admin, signed, merchant, authorize }
}

t.test('a retry after the payment changed and the gateway restarted sends the first attempt\'s bytes', async (t) => {
  const b = await bench(t)
  const first = await b.start()
  const shop = await b.merchant(first)
  b.rx.answer = () => 500
  const payment = await b.authorize(first, shop)
  await b.admin(first, 'POST', '/admin/clock/advance', { duration: '0s' })
  const [attempt1] = await b.rx.waitFor(1)
  t.equal(attempt1?.json().type, 'payment.authorized')
  t.equal(attempt1?.json().data.object.status, 'authorized')
  // The payment moves on while payment.authorized still waits for its retry.
  await b.signed(first, shop, `/v1/payments/${payment.id}/capture`, {})
  await b.stop()

  b.rx.answer = () => 200
  const second = await b.start()
  await b.admin(second, 'POST', '/admin/clock/advance', { duration: '15s' })
  const retries = b.rx.requests.filter((r) => r.headers['paylab-event-id'] === attempt1?.headers['paylab-event-id'])
  t.equal(retries.length, 2, 'the first attempt and its retry')
  t.equal(retries[1]?.text, attempt1?.text, 'the retry carries the same bytes, the payment as it was authorized')
  t.not(retries[1]?.headers['paylab-nonce'], attempt1?.headers['paylab-nonce'], 'signed afresh')

  const captured = b.rx.requests.find((r) => r.json().type === 'payment.captured')
  t.equal(captured?.json().data.object.status, 'succeeded')
  // The captured event's object is the payment as stored now: read back, it is that very record.
  const { engine } = second
  const event = engine.findEvent(captured?.json().id) as NotificationEvent
  t.equal(event.data_object, engine.findPayment(payment.id), 'the event shares the payment record instead of a copy')
  const authorized = engine.findEvent(attempt1?.json().id) as NotificationEvent
  t.not(authorized.data_object, engine.findPayment(payment.id), 'the older event keeps the payment as it was')
  t.equal(authorized.data_object.status, 'authorized')
})

t.test('a data dir whose events keep their body as text opens and sends those bytes', async (t) => {
  const b = await bench(t)
  const first = await b.start()
  const shop = await b.merchant(first)
  b.rx.answer = () => 500
  await b.authorize(first, shop)
  await b.authorize(first, shop)
  await b.admin(first, 'POST', '/admin/clock/advance', { duration: '0s' })
  const firstAttempts = await b.rx.waitFor(2)
  await b.stop() // a stop compacts: every record is in paylab.json

  // The events as the previous version stored them: the body as text, no data_object. The second
  // one's text is not what JSON.stringify makes of its object (spaces): it must go out unchanged.
  const file = join(b.dataDir, 'paylab.json')
  const state = JSON.parse(await readFile(file, 'utf8'))
  const texts = new Map<string, string>()
  state.format = 1
  state.tables.events = state.tables.events.map((e: NotificationEvent, i: number) => {
    const { data_object: stored, ...rest } = e
    // (This version's snapshot names the payment stored beside the event: see the next test.)
    const object = (stored as unknown) === 'payment' ? state.tables.payments.find((p: { id: string }) => p.id === e.payment_id) : stored
    const body = JSON.stringify({ id: e.id, object: 'event', type: e.type, created: e.created, data: { object } }, null, i === 1 ? 1 : undefined)
    texts.set(e.id, body)
    return { ...rest, body }
  })
  t.equal(texts.size, 2)
  await writeFile(file, JSON.stringify(state))

  b.rx.answer = () => 200
  const second = await b.start()
  const [exact, spaced] = [...texts.keys()].map((id) => second.engine.findEvent(id) as NotificationEvent)
  t.equal(exact?.body, undefined, 'a body that its object rebuilds is no longer kept as text')
  t.equal(exact?.data_object, second.engine.findPayment(exact?.payment_id ?? ''), 'and its object is the payment record')
  t.equal(spaced?.body, texts.get(spaced?.id ?? ''), 'a body that is not rebuilt exactly stays')
  await b.admin(second, 'POST', '/admin/clock/advance', { duration: '15s' })
  for (const [id, text] of texts) {
    const sent = b.rx.requests.filter((r) => r.headers['paylab-event-id'] === id)
    t.equal(sent.length, 2, `${id}: the first attempt and its retry`)
    t.equal(sent[1]?.text, text, `${id}: the retry sends the stored body`)
  }
  t.equal(b.rx.requests.filter((r) => r.headers['paylab-event-id'] === exact?.id)[1]?.text,
    firstAttempts.find((r) => r.headers['paylab-event-id'] === exact?.id)?.text, 'the same bytes as before the upgrade')
  const log = await b.admin(second, 'GET', `/admin/events/${spaced?.id ?? ''}`)
  t.same(log.payload, JSON.parse(texts.get(spaced?.id ?? '') ?? ''), 'the delivery log shows the body it sends')
  t.equal(log.data_object, undefined)
  t.equal(log.body, undefined)
})

t.test('a snapshot names the payment instead of repeating it; a later change to the payment does not reach the event', async (t) => {
  const b = await bench(t)
  const store = new JournalStore(b.dataDir)
  const first = await b.start(store)
  const shop = await b.merchant(first)
  b.rx.answer = () => 500
  const payment = await b.authorize(first, shop)
  await b.admin(first, 'POST', '/admin/clock/advance', { duration: '0s' })
  const [attempt1] = await b.rx.waitFor(1)
  await store.compact()
  const snapshot = JSON.parse(await readFile(join(b.dataDir, 'paylab.json'), 'utf8'))
  const stored = snapshot.tables.events.find((e: NotificationEvent) => e.id === attempt1?.json().id)
  t.equal(stored?.data_object, 'payment', 'the event names its payment, stored beside it')
  t.equal(snapshot.format, 3)
  // The capture goes to the journal after that snapshot: the payment changes, the event must not.
  await b.signed(first, shop, `/v1/payments/${payment.id}/capture`, {})
  // What a crash would leave now: that snapshot and the journal after it.
  const crashed = await mkdtemp(join(tmpdir(), 'paylab-bodies-crash-'))
  t.teardown(() => rm(crashed, { recursive: true, force: true }))
  await cp(b.dataDir, crashed, { recursive: true })
  await b.stop()

  b.rx.answer = () => 200
  const second = await b.start(new JournalStore(crashed))
  t.equal(second.engine.findPayment(payment.id)?.status, 'succeeded', 'the journal after the snapshot is replayed')
  await b.admin(second, 'POST', '/admin/clock/advance', { duration: '15s' })
  const sent = b.rx.of(attempt1?.headers['paylab-event-id'] as string)
  t.equal(sent.length, 2, 'the first attempt and its retry')
  t.equal(sent[1]?.text, attempt1?.text, 'the retry sends the payment as it was authorized, byte for byte')
})
