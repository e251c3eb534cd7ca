// How a notification fault is asked for: a rule with a `notification` effect (scoped to one
// merchant, with match, times, probability and seed), a payment's metadata, or a magic amount.
import t from 'tap'
import { FAULT_AMOUNTS } from '../../gateway/engine/faults.js'
import { MAGIC_AMOUNTS } from '../../gateway/engine/outcomes.js'
import { NOTIFICATION_FAULT_AMOUNTS } from '../../gateway/engine/notification-faults.js'
import { addMerchant } from '../helpers/merchants.js'
import { notifyBench, sharedNotifyBench, type NotifyBench } from '../helpers/notifications.js'

// One gateway and clock for the file, a merchant and a receiver per test.
const bench = sharedNotifyBench()

const rule = async (b: NotifyBench, body: Record<string, unknown>) => {
  const res = await b.gw.admin({ method: 'POST', url: '/admin/rules', payload: { merchant_id: b.shop.merchant, ...body } })
  return { status: res.statusCode, body: res.json() }
}

/** What each magic amount does, as seen right after the create by a verifying receiver. */
const BY_AMOUNT: Record<number, { fault: string, status: string, sent: number }> = {
  60001: { fault: 'drop', status: 'dropped', sent: 0 },
  60002: { fault: 'delay;600000ms', status: 'pending', sent: 0 },
  60003: { fault: 'duplicate;3', status: 'delivered', sent: 3 },
  60004: { fault: 'out_of_order', status: 'held', sent: 0 },
  60005: { fault: 'before_answer', status: 'delivered', sent: 1 },
  60006: { fault: 'bad_signature', status: 'pending', sent: 1 },
  60007: { fault: 'stale_timestamp', status: 'pending', sent: 1 },
  60008: { fault: 'unknown_key', status: 'pending', sent: 1 },
  60009: { fault: 'tampered_body', status: 'pending', sent: 1 }
}

t.test('each magic amount 60001–60009 gets its notification fault', async (t) => {
  t.same(Object.keys(NOTIFICATION_FAULT_AMOUNTS), Object.keys(BY_AMOUNT), 'the table covers every amount')
  // Its own gateway: it leaves a delivery due (sharedNotifyBench).
  const b = await notifyBench(t)
  b.verifyingAnswer()
  for (const amount of Object.keys(BY_AMOUNT)) {
    t.notOk(Object.hasOwn(FAULT_AMOUNTS, amount) || Object.hasOwn(MAGIC_AMOUNTS, amount), `${amount} means nothing else`)
  }
  for (const [amount, want] of Object.entries(BY_AMOUNT)) {
    const payment = await b.pay({ amount: Number(amount) })
    t.equal(payment.status, 'succeeded', `${amount}: the payment itself is plain`)
    await b.gw.advance('0s')
    const [event] = await b.events(`payment_id=${payment.id}`)
    t.equal(event.fault, want.fault, `${amount}: ${want.fault}`)
    t.equal(event.status, want.status, `${amount}: ${want.status}`)
    t.equal(b.rx.of(event.id).length, want.sent, `${amount}: ${want.sent} sent`)
    if (want.status === 'pending' && want.sent === 1) t.equal(b.rx.of(event.id)[0]?.status, 400, `${amount}: refused by a verifying receiver`)
  }
})

t.test('a rule picks events by type, order id and amount, and wins over metadata', async (t) => {
  const b = await bench(t)
  const made = await rule(b, { match: { event_type: 'refund.*' }, notification: 'drop' })
  t.equal(made.status, 201)
  t.equal(made.body.notification, 'drop')
  const payment = await b.pay()
  await b.post(`/v1/payments/${payment.id}/refunds`, { merchant_refund_id: `r-${payment.id}` })
  await b.gw.advance('0s')
  t.same((await b.events()).map((e) => [e.type, e.status]), [['refund.succeeded', 'dropped'], ['payment.succeeded', 'delivered']])

  await rule(b, { match: { merchant_order_id: 'vip-*', amount: 2500 }, notification: 'duplicate;2' })
  for (const [order, amount] of [['vip-1', 2500], ['vip-2', 2600], ['std-1', 2500]] as const) await b.pay({ merchant_order_id: order, amount })
  await b.pay({ merchant_order_id: 'vip-3', amount: 2500, metadata: { paylab_notification: 'drop' } })
  await b.gw.advance('0s')
  const faults = Object.fromEntries((await b.events('type=payment.succeeded')).map((e) => [e.merchant_order_id, e.fault]))
  t.same(faults, { 'vip-1': 'duplicate;2', 'vip-2': null, 'std-1': null, 'vip-3': 'duplicate;2', [payment.merchant_order_id]: null })
  const listed = await b.gw.admin({ method: 'GET', url: `/admin/rules?merchant_id=${b.shop.merchant}` })
  t.same(listed.json().data.map((r: any) => r.hits), [1, 2], 'hits count the events each rule shaped')
})

t.test('rules belong to one merchant, and times counts events', async (t) => {
  const b = await bench(t)
  const other = await addMerchant(b.gw, { notify_url: b.rx.url })
  await rule(b, { notification: 'drop', times: 1 })
  const mine = [await b.pay(), await b.pay()]
  const theirs = await b.gw.create(b.gw.cardPayment('4242424242424242'), {}, other)
  await b.gw.advance('0s')
  t.same((await b.events()).reverse().map((e) => e.status), ['dropped', 'delivered'], `only the first of ${mine.length}`)
  const res = await b.gw.admin({ method: 'GET', url: `/admin/events?payment_id=${theirs.id}` })
  t.equal(res.json().data[0].status, 'delivered', 'the other merchant\'s event is untouched')
  t.equal(b.rx.requests.length, 2)
})

t.test('a probability with a seed drops the same events every run', async (t) => {
  const run = async (): Promise<string[]> => {
    const b = await bench(t)
    await rule(b, { notification: 'drop', probability: 0.5, seed: 42 })
    for (let i = 0; i < 12; i++) await b.pay()
    await b.gw.advance('0s')
    const statuses = (await b.events()).reverse().map((e) => e.status)
    const listed = await b.gw.admin({ method: 'GET', url: `/admin/rules?merchant_id=${b.shop.merchant}` })
    t.equal(listed.json().data[0].hits, statuses.filter((s) => s === 'dropped').length, 'hits are the dropped events')
    return statuses
  }
  const first = await run()
  t.same(await run(), first, 'the same pattern from the same seed')
  t.ok(first.includes('dropped') && first.includes('delivered'), `a mix: ${first.join(' ')}`)
})

t.test('refused triggers: a bad rule is a 400, a bad metadata value is ignored', async (t) => {
  const b = await bench(t)
  for (const body of [{ notification: 'explode' }, { notification: 'duplicate;11' }, { notification: 'drop;5' }, { notification: 'drop', fault: 'http_500' }]) {
    const res = await rule(b, body)
    t.equal(res.status, 400, JSON.stringify(body))
    t.equal(res.body.error.code, 'PAYLAB_VALIDATION_FAILED')
  }
  const payment = await b.pay({ metadata: { paylab_notification: 'explode' } })
  t.equal(payment.status, 'succeeded', 'the payment is not refused for it')
  await b.gw.advance('0s')
  const [event] = await b.events()
  t.equal(event.fault, null)
  t.equal(event.status, 'delivered')
})
