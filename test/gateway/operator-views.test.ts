// The engine's operator views behind the dashboard: payments and events across merchants by
// filter, one payment's timeline (requests, status changes, notifications), what the virtual
// clock fired, journal entries by number, and the start of a receiver's answer on each attempt.
import t from 'tap'
import { build } from '../helpers/build.js'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { History } from '../../gateway/engine/history.js'
import type { NotificationTransport } from '../../gateway/engine/outbox.js'
import type { Payment } from '../../gateway/engine/types.js'

/** What the receiver at each URL answers, in turn (500 with these bodies). */
const answers = new Map<string, string[]>()
const transport: NotificationTransport = { deliver: async (req) => ({ status: 500, error: 'HTTP 500', body: answers.get(req.url)?.shift() ?? '' }) }
const gw = await build(t, { clock: new VirtualClock(), transport })
const { engine } = gw
const other = await engine.createMerchant({ id: 'views-other', name: 'Other', notify_url: 'http://127.0.0.1:9/hook' })
const otherCreds = { merchant: other.id, secret: other.hmac_secret }

const create = async (body: Record<string, unknown>, creds = gw.demo): Promise<{ id: string, merchant_order_id: string }> => {
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', body }, creds)
  if (res.statusCode !== 201) throw new Error(`create answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

t.test('findPayments: across merchants, newest first, by merchant, status, channel and order id start', async (t) => {
  const a = await create(gw.cardPayment('4242424242424242', { merchant_order_id: 'views-a-1', notify_url: 'http://127.0.0.1:9/a' }))
  const b = await create(gw.cardPayment('4000000000000002', { merchant_order_id: 'views-b-1' }), otherCreds)
  const c = await create(gw.cardPayment('4242424242424242', { merchant_order_id: 'views-a-2' }), otherCreds)
  t.same(engine.findPayments({ merchant_order_id: 'views-' }).map((p) => p.id), [c.id, b.id, a.id])
  t.same(engine.findPayments({ merchant_id: other.id }).map((p) => p.id), [c.id, b.id])
  t.same(engine.findPayments({ status: 'failed', merchant_order_id: 'views-' }).map((p) => p.id), [b.id])
  t.same(engine.findPayments({ merchant_order_id: 'views-a' }).map((p) => p.id), [c.id, a.id])
  t.same(engine.findPayments({ channel: 'wechatpay', merchant_order_id: 'views-' }), [])
  t.equal(engine.findPayments({ channel: 'paylab', merchant_order_id: 'views-' }).length, 3)
  t.same(engine.findPayments({ merchant_order_id: 'views-', limit: 1 }).map((p) => p.id), [c.id])
  t.same(engine.findEvents({ payment_id: b.id }).map((e) => e.type), ['payment.failed'])
})

t.test('timeline: the requests, the status changes and the notifications with their attempts; advanceClock says what fired', async (t) => {
  answers.set('http://127.0.0.1:9/p', ['x'.repeat(300), 'refused: bad signature'])
  const p = await create(gw.cardPayment('4000000000003055', { merchant_order_id: 'views-processing', notify_url: 'http://127.0.0.1:9/p' }))
  const queried = await gw.signed({ method: 'GET', path: `/v1/payments/${p.id}` })
  t.equal(queried.statusCode, 200)
  const { clock, fired } = await engine.advanceClock(30_000)
  t.equal(clock.mode, 'virtual')
  const timeline = await engine.timeline(p.id)
  if (timeline === undefined) throw new Error('no timeline')
  const mine = new Set([p.id, ...timeline.events.map((e) => e.id)])
  t.match(fired.filter((f) => mine.has(f.ref)), [{ kind: 'payment.resolve', ref: p.id }, { kind: 'event.deliver', ref: timeline.events[0]?.id }],
    'the resolution, then the first notification attempt')
  t.equal(timeline.payment.status, 'succeeded')
  t.match(timeline.changes, [{ kind: 'status', from: 'processing', to: 'processing' }, { kind: 'status', from: 'processing', to: 'succeeded' }])
  t.same(timeline.requests.map((e) => `${e.method} ${e.path} ${e.status}`), ['POST /v1/payments 201', `GET /v1/payments/${p.id} 200`], 'the create and the query about it')
  t.same(timeline.events.map((e) => e.type), ['payment.succeeded'])
  const [attempt] = timeline.events[0]?.attempts ?? []
  t.equal(attempt?.answer, 'x'.repeat(200), 'the receiver answer, cut at 200 characters')
  const again = await engine.resendEvent(timeline.events[0]?.id ?? '')
  t.equal(again?.attempts.at(-1)?.answer, 'refused: bad signature')
  t.equal(await engine.resendEvent('evt_none'), undefined)
  t.equal(await engine.timeline('pay_none'), undefined)
})

t.test('journal entries by number, and by payment', async (t) => {
  const p = await create(gw.cardPayment('4242424242424242'))
  const [entry] = await engine.journal({ payment_id: p.id })
  if (entry === undefined) throw new Error('no journal entry for the payment')
  t.equal(entry.payment_id, p.id)
  t.same(await engine.journalEntry(entry.seq), entry)
  t.equal(await engine.journalEntry(entry.seq + 10_000), undefined)
  t.equal(await engine.journalCount({ payment_id: p.id }), 1)
})

t.test('rules and the clock through the engine\'s own methods (the admin API, the dashboard and the msw adapter use these)', async (t) => {
  const rule = await engine.addRule({ merchant_id: other.id, fault: 'response_lost' })
  await engine.addRule({ merchant_id: other.id, outcome: 'succeed' })
  t.same(engine.rules(other.id).map((r) => r.id).includes(rule.id), true)
  t.equal(await engine.deleteRule(rule.id), true)
  t.equal(await engine.deleteRule(rule.id), false, 'gone')
  t.equal(await engine.resetRules(other.id), 1)
  t.same(engine.rules(other.id), [])
  await t.rejects(engine.addRule({ merchant_id: 'ghost', fault: 'response_lost' }), { code: 'PAYLAB_VALIDATION_FAILED' })
  const before = engine.clockState()
  t.equal(before.mode, 'virtual')
  await t.rejects(engine.advanceClock(3_153_600_000_001), { code: 'PAYLAB_VALIDATION_FAILED' }, 'more than 100 years at once is refused')
  t.equal(engine.clockState().now_ms, before.now_ms)
  const admin = await gw.admin({ method: 'POST', url: '/admin/clock/advance', payload: { duration: '1s' } })
  t.equal(admin.json().now_ms, before.now_ms + 1000, 'the admin API moves it through advanceClock')
})

t.test('history forgets the payments seen longest ago beyond its capacity', async (t) => {
  const history = new History(3)
  const payment = (id: string): Payment => ({ id, status: 'succeeded' }) as unknown as Payment
  history.record({ type: 'payment.changed', payment: payment('p1'), previous: 'processing' }, 't1')
  history.record({ type: 'payment.changed', payment: payment('p2'), previous: 'processing' }, 't2')
  history.record({ type: 'payment.changed', payment: payment('p2'), previous: 'succeeded' }, 't3')
  t.equal(history.of('p1').length, 1)
  history.record({ type: 'payment.changed', payment: payment('p3'), previous: 'processing' }, 't4')
  t.same(history.of('p1'), [], 'p1 went first')
  t.same(history.of('p2').map((c) => c.time), ['t2', 't3'])
  t.same(history.of('p3').map((c) => c.to), ['succeeded'])
})

t.test('history keeps the last changes of the payments seen most recently, over many evictions', async (t) => {
  const history = new History(10)
  const payment = (id: string): Payment => ({ id, status: 'succeeded' }) as unknown as Payment
  // The model: payments in the order first seen, each with its changes, evicted from the front.
  const model = new Map<string, string[]>()
  let size = 0
  for (let i = 0; i < 5000; i++) {
    const id = `p${i % 7 === 0 && i > 0 ? i - 1 : i}` // every seventh change is a second one of the payment before
    history.record({ type: 'payment.changed', payment: payment(id), previous: 'processing' }, `t${i}`)
    model.set(id, [...(model.get(id) ?? []), `t${i}`])
    if (++size > 10) {
      const [oldest, changes] = [...model][0] as [string, string[]]
      model.delete(oldest)
      size -= changes.length
    }
  }
  for (let i = 4900; i < 5000; i++) {
    if (history.of(`p${i}`).map((c) => c.time).join() !== (model.get(`p${i}`) ?? []).join()) { t.fail(`p${i}`); return }
  }
  t.ok([...model.keys()].length >= 5, 'the model keeps several payments')
  t.same(history.of([...model.keys()][0] as string).map((c) => c.time), [...model.values()][0], 'the oldest kept one')
  t.same(history.of('p10'), [], 'an early one is gone')
})
