// Time on the gateway clock: a virtual clock moved by POST /admin/clock/advance fires everything
// due on the way, in order and each at its own time — unpaid payments expire, processing ones
// resolve — while the real clock does the same by itself.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { live, methodPayment, type LiveGateway } from '../helpers/live.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

/** The payments whose expiry is still scheduled (next_due also counts notification deliveries). */
const expiryTasks = (gw: LiveGateway): string[] =>
  gw.engine.scheduledTasks().filter((task) => task.kind === 'payment.expire').map((task) => task.ref)
const clockNow = async (gw: LiveGateway): Promise<any> => (await gw.admin({ method: 'GET', url: '/admin/clock' })).json()

t.test('GET /admin/clock: the mode, the time and the next task due', async (t) => {
  const start = Date.UTC(2030, 0, 1, 12, 0, 0)
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock(start) })
  t.same(await clockNow(gw), { now: '2030-01-01T12:00:00.000Z', now_ms: start, mode: 'virtual', next_due: null })
  await gw.create(methodPayment('wallet', 1000))
  t.equal((await clockNow(gw)).next_due, '2030-01-01T12:15:00.000Z', 'the wallet payment expires in 15 min')
  const moved = await gw.admin({ method: 'POST', url: '/admin/clock/advance', payload: { ms: 1500 } })
  t.match(moved.json(), { now: '2030-01-01T12:00:01.500Z', mode: 'virtual' }, 'by ms')
  t.equal((await gw.advance('1h30m')).now, '2030-01-01T13:30:01.500Z', 'by a duration')
  t.same(expiryTasks(gw), [], 'the expiry ran on the way')
})

t.test('the real clock cannot be moved: 409 PAYLAB_CLOCK_NOT_VIRTUAL; bad durations are 400', async (t) => {
  const real = await live(t, PAYLAB_ONLY)
  t.equal((await clockNow(real)).mode, 'real')
  const refused = await real.admin({ method: 'POST', url: '/admin/clock/advance', payload: { duration: '1m' } })
  t.same([refused.statusCode, refused.json().error.code], [409, 'PAYLAB_CLOCK_NOT_VIRTUAL'])
  const virtual = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock() })
  for (const payload of [{ duration: '1 week' }, { ms: -1 }, { ms: 1.5 }, { ms: '10' }]) {
    const res = await virtual.admin({ method: 'POST', url: '/admin/clock/advance', payload })
    t.same([res.statusCode, res.json().error.code], [400, 'PAYLAB_VALIDATION_FAILED'], JSON.stringify(payload))
  }
})

t.test('an unpaid payment expires after 15 min: canceled, cancellation_reason expired', async (t) => {
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock() })
  const wallet = await gw.create(methodPayment('wallet', 1000))
  const card = await gw.create(gw.cardPayment('4000002760003184'))
  t.equal(Date.parse(wallet.expires_at) - Date.parse(wallet.created_at), 15 * 60_000)
  await gw.advance('14m59s')
  t.equal((await gw.payment(wallet.id)).status, 'requires_action', 'not a second early')
  await gw.advance('1s')
  for (const p of [wallet, card]) {
    t.match(await gw.payment(p.id), { status: 'canceled', cancellation_reason: 'expired', next_action: null, amount_captured: 0 }, p.method.type)
  }
  const late = await gw.cashier(wallet.id, { action: 'pass' })
  t.same([late.status, late.json().error.code], [409, 'PAYLAB_INVALID_STATE_TRANSITION'], 'the buyer is too late')
})

t.test('expires_in sets the window; a buyer who cancels leaves the payment to expire', async (t) => {
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock() })
  const p = await gw.create(methodPayment('bank_transfer', 1000, { expires_in: 120 }))
  t.equal(Date.parse(p.expires_at) - Date.parse(p.created_at), 120_000)
  await gw.cashier(p.id, { action: 'cancel' })
  t.equal((await gw.payment(p.id)).status, 'requires_action', 'still waiting after cancel')
  await gw.advance('2m')
  t.match(await gw.payment(p.id), { status: 'canceled', cancellation_reason: 'expired' })
  const tooShort = await gw.answer({ method: 'POST', path: '/v1/payments', body: methodPayment('wallet', 1000, { expires_in: 59 }) })
  t.equal(tooShort.status, 400, 'below 60 s is refused')
})

t.test('a payment settled before its time does not expire later', async (t) => {
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock() })
  const paid = await gw.create(methodPayment('wallet', 1000))
  await gw.cashier(paid.id, { action: 'pass' })
  const canceled = await gw.create(methodPayment('wallet', 1000))
  const res = await gw.answer({ method: 'POST', path: `/v1/payments/${canceled.id}/cancel` })
  t.equal(res.json().cancellation_reason, 'requested_by_merchant')
  t.same(expiryTasks(gw), [], 'their expiry tasks are gone')
  await gw.advance('1h')
  t.equal((await gw.payment(paid.id)).status, 'succeeded')
  t.equal((await gw.payment(canceled.id)).cancellation_reason, 'requested_by_merchant')
})

t.test('one advance fires everything due, in time order, each at its own time', async (t) => {
  // Near the real time: the test cards' expiry dates are checked against the gateway clock.
  const start = Math.floor(Date.now() / 60_000) * 60_000
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock(start), config: { processingDelaySec: 90 } })
  const seen: Array<[string, string, number]> = []
  gw.engine.on((e) => { seen.push([e.payment.merchant_order_id, e.payment.status, gw.engine.clock.now() - start]) })
  const order = (name: string, body: Record<string, unknown>) => ({ ...body, merchant_order_id: `${name}-${String(body.merchant_order_id)}` })
  await gw.create(order('exp-5m', methodPayment('wallet', 1000, { expires_in: 300 })))
  await gw.create(order('proc-90s', gw.cardPayment('4000000000003055')))
  await gw.create(order('exp-2m', methodPayment('bank_transfer', 1000, { expires_in: 120 })))
  await gw.create(order('proc-fail-90s', gw.cardPayment('4000000000003063')))
  await gw.create(order('exp-15m', gw.cardPayment('4000002760003184')))
  seen.length = 0
  const after = await gw.advance('1h')
  t.equal(after.now_ms, start + 3_600_000)
  t.same(seen.map(([o, status, at]) => [o.split('-order')[0], status, at]), [
    ['proc-90s', 'succeeded', 90_000],
    ['proc-fail-90s', 'failed', 90_000],
    ['exp-2m', 'canceled', 120_000],
    ['exp-5m', 'canceled', 300_000],
    ['exp-15m', 'canceled', 900_000]
  ], 'in order of their time (ties in creation order), the clock standing at each')
  const expired = (await gw.answer({ method: 'GET', path: '/v1/payments?limit=10' })).json().data.find((p: any) => p.merchant_order_id.startsWith('exp-2m'))
  t.equal(expired.updated_at, new Date(start + 120_000).toISOString(), 'the payment says when it expired, not when the clock stopped')
})

t.test('on the real clock, due work runs by itself', async (t) => {
  const gw = await live(t, { ...PAYLAB_ONLY, config: { processingDelaySec: 0 } })
  const p = await gw.create(gw.cardPayment('4000000000003055'))
  t.equal(p.status, 'processing')
  let status = p.status
  for (let i = 0; i < 30 && status === 'processing'; i++) {
    await sleep(100)
    status = (await gw.payment(p.id)).status
  }
  t.equal(status, 'succeeded', 'resolved within about a second, with no one moving the clock')
})
