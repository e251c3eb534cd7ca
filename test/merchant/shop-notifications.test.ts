// The shop against every notification fault the gateway has, asked for by the payment's metadata
// `paylab_notification`. Wallet payments approved on the hosted page, with no buyer coming back:
// only a notification (or the shop's own query) can tell the shop the order is paid.
import t from 'tap'
import { NOTIFICATION_FAULTS } from '../../gateway/engine/notification-faults.js'
import { buildPair, type Pair } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'
import type { Order } from '../../merchant/shop/orders.js'

async function approved (p: Pair, fault?: string): Promise<Order> {
  const order = await p.checkout({ method: 'wallet', amount: 2500, ...(fault === undefined ? {} : { metadata: { paylab_notification: fault } }) })
  if (order.status !== 'pending_payment' || order.next_action_url === null) throw new Error(`the order should wait for the buyer: ${order.status}`)
  const res = await p.gw.cashier(order.payment_id as string, { action: 'pass' })
  if (res.status !== 303) throw new Error(`cashier answered ${res.status}`)
  return order
}

const events = async (p: Pair): Promise<any[]> => (await p.admin('GET', `/admin/events?merchant_id=${p.merchant.id}`)).data
const codes = async (p: Pair): Promise<Array<number | null>> => (await events(p)).flatMap((e) => e.attempts.map((a: any) => a.status_code))
const status = (p: Pair, id: string) => p.order(id).status

t.test('every notification fault is exercised here', async (t) => {
  const here = ['drop', 'delay', 'duplicate', 'out_of_order', 'before_answer', 'bad_signature', 'stale_timestamp', 'unknown_key', 'tampered_body']
  t.same(Object.keys(NOTIFICATION_FAULTS).sort(), here.sort())
})

t.test('no fault: the notification makes the order paid, once', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await approved(p)
  await p.advance()
  t.equal(status(p, order.id), 'paid')
  t.same(await codes(p), [200])
  t.equal(p.payments(order.id).length, 1)
})

t.test('drop: nothing arrives; the shop\'s own query settles it', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await approved(p, 'drop')
  await p.advance('1d')
  t.equal(status(p, order.id), 'pending_payment', 'no notification in a day')
  t.same((await events(p)).map((e) => e.status), ['dropped'])
  const synced = await p.call('POST', `/api/orders/${order.id}/sync`)
  t.equal(synced.body.status, 'paid')
})

t.test('delay;10m: paid when it arrives, not before', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await approved(p, 'delay;10m')
  await p.advance('9m59s')
  t.equal(status(p, order.id), 'pending_payment')
  await p.advance('1s')
  t.equal(status(p, order.id), 'paid')
})

t.test('duplicate;3: three deliveries acknowledged, applied once', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await approved(p, 'duplicate;3')
  await p.advance('1d')
  t.same(await codes(p), [200, 200, 200])
  const after = p.order(order.id)
  t.equal(after.status, 'paid')
  t.equal(after.applied_events.length, 1)
  t.equal(after.timeline.filter((e) => e.kind === 'notification').length, 1, 'one application in the timeline')
})

t.test('out_of_order: held 60 s with nothing after it, then applied', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await approved(p, 'out_of_order')
  await p.advance('59s')
  t.equal(status(p, order.id), 'pending_payment')
  await p.advance('1s')
  t.equal(status(p, order.id), 'paid')
})

t.test('before_answer: the event comes before the create\'s answer; the order is found by its id', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await p.checkout({ amount: 2500, metadata: { paylab_notification: 'before_answer' } })
  t.equal(order.status, 'paid')
  const kinds = order.timeline.map((e) => e.kind)
  t.ok(kinds.indexOf('notification') >= 0 && kinds.indexOf('notification') < kinds.indexOf('answer'), `notification first: ${kinds.join(', ')}`)
  t.same(await codes(p), [200], 'acknowledged at once')
  t.equal(p.payments(order.id).length, 1)
  t.equal(await p.creates(), 1)
})

for (const fault of ['bad_signature', 'stale_timestamp', 'unknown_key', 'tampered_body']) {
  t.test(`${fault}: the first attempt refused with 400, the retry applied`, async (t) => {
    const p = await buildPair(t, { gateway: PAYLAB_ONLY })
    const order = await approved(p, fault)
    await p.advance()
    t.same(await codes(p), [400])
    t.equal(status(p, order.id), 'pending_payment', 'nothing taken from the broken attempt')
    t.same(p.order(order.id).applied_events, [])
    await p.advance('15s')
    t.same(await codes(p), [400, 200])
    t.equal(status(p, order.id), 'paid')
    t.equal(p.order(order.id).amount, 2500, 'the amount is the order\'s own (a tampered body says otherwise)')
  })
}

t.test('RSA-signed notifications (merchant answer_signature_type RSA-SHA256): verified with the fetched gateway key', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY, merchant: { answer_signature_type: 'RSA-SHA256' } })
  const order = await approved(p)
  await p.advance()
  t.same(await codes(p), [200])
  t.equal(status(p, order.id), 'paid')
})
