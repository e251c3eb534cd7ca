// The shop's POST /notifications on its own, fed with events made by buildNotification over real
// gateway payments: 400 to anything that does not verify, duplicates ignored by event id, and a
// 2xx only once the order is on disk (a failed write answers 5xx, so the gateway retries).
import t from 'tap'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { buildNotification, type Breakage, type Payment, type PaylabEvent } from '../../merchant/sdk/index.js'
import { buildPair, type Pair } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

let n = 0
const eventOf = (object: unknown, type = 'payment.succeeded', created = '2030-01-01T00:00:00.000Z'): PaylabEvent =>
  ({ id: `evt_shoptest${String(++n).padStart(12, '0')}`, object: 'event', type, created, data: { object } } as PaylabEvent)

async function post (p: Pair, event: PaylabEvent, opts: { broken?: Breakage, secret?: string } = {}) {
  const { headers, body } = buildNotification(event, { secret: opts.secret ?? p.merchant.secret }, { now: Date.now(), ...(opts.broken === undefined ? {} : { broken: opts.broken }) })
  const res = await fetch(`${p.shopUrl}/notifications`, { method: 'POST', headers, body })
  return { status: res.status, body: await res.json() as { result?: string, error?: { code: string } } }
}

/** A wallet order approved at the gateway; the shop has not heard of it yet. */
async function paidAtGateway (p: Pair): Promise<{ orderId: string, payment: Payment }> {
  await p.rule({ notification: 'drop' }) // the test delivers the events itself
  const order = await p.checkout({ method: 'wallet', amount: 1200 })
  await p.gw.cashier(order.payment_id as string, { action: 'pass' })
  return { orderId: order.id, payment: await p.shop.deps.client.getPayment(order.payment_id as string) }
}

t.test('400 to every broken notification; nothing applied', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const { orderId, payment } = await paidAtGateway(p)
  for (const broken of ['bad_signature', 'stale_timestamp', 'wrong_key'] as Breakage[]) {
    const res = await post(p, eventOf(payment), { broken })
    t.equal(res.status, 400, broken)
  }
  t.equal((await post(p, eventOf(payment), { secret: 'someone-else' })).status, 400, 'signed with another secret')
  const bare = await fetch(`${p.shopUrl}/notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(eventOf(payment)) })
  t.equal(bare.status, 400, 'unsigned')
  t.equal(p.order(orderId).status, 'pending_payment')
  t.same(p.order(orderId).applied_events, [])
})

t.test('a verified event is applied once; a duplicate by event id is acknowledged and ignored', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const { orderId, payment } = await paidAtGateway(p)
  const event = eventOf(payment)
  const first = await post(p, event)
  t.same([first.status, first.body.result], [200, 'applied'])
  t.equal(p.order(orderId).status, 'paid')
  const timeline = p.order(orderId).timeline.length
  const again = await post(p, event)
  t.equal(again.status, 200)
  t.equal(p.order(orderId).timeline.length, timeline, 'nothing recorded for the duplicate')
  t.same(p.order(orderId).applied_events, [event.id])
})

t.test('an event for an order this shop does not have is acknowledged without effect', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const { payment } = await paidAtGateway(p)
  const res = await post(p, eventOf({ ...payment, id: 'pay_elsewhere', merchant_order_id: 'ord_notours' }))
  t.same([res.status, res.body.result], [200, 'not an order of this shop'])
})

t.test('2xx only once stored: a failed write answers 5xx and leaves the order as stored', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const { orderId, payment } = await paidAtGateway(p)
  const file = join(p.dataDir, 'orders', `${orderId}.json`)
  // The store writes a temp file and renames it: a folder in the temp file's place fails the write.
  const blocker = join(p.dataDir, 'orders', `.${orderId}.json.tmp`)
  await mkdir(blocker)
  const event = eventOf(payment)
  const failed = await post(p, event)
  t.ok(failed.status >= 500, `answered ${failed.status}`)
  t.equal(p.order(orderId).status, 'pending_payment', 'the shop does not claim what it did not store')
  t.same(p.order(orderId).applied_events, [])
  t.equal(JSON.parse(await readFile(file, 'utf8')).status, 'pending_payment')
  await rm(blocker, { recursive: true })
  const retried = await post(p, event)
  t.equal(retried.status, 200, 'the gateway\'s retry is applied')
  t.equal(JSON.parse(await readFile(file, 'utf8')).status, 'paid', 'and on disk')
})

t.test('an older view of the payment never rolls the order back', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const { orderId, payment } = await paidAtGateway(p)
  await post(p, eventOf(payment))
  const older = { ...payment, status: 'requires_action', updated_at: payment.created_at }
  t.equal((await post(p, eventOf(older, 'payment.succeeded'))).status, 200)
  t.equal(p.order(orderId).status, 'paid')
  t.equal(p.order(orderId).payment_status, 'succeeded', 'the older view is not taken in')
})
