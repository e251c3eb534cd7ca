// Checkouts that wait for the buyer: 3-D Secure and wallet approval on the gateway's hosted
// cashier, the buyer sent back to the shop's return URL (which proves nothing, so the shop asks
// the gateway), and manual capture done by an operator with the SDK.
import t from 'tap'
import { buildPair, type Pair } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

const THREE_DS_CARD = '4000002760003184'

/** The buyer on the hosted page; returns where the gateway sends them back to. */
async function buyer (p: Pair, paymentId: string, fields: Record<string, string>): Promise<URL> {
  const res = await p.gw.cashier(paymentId, fields)
  if (res.status !== 303) throw new Error(`cashier answered ${res.status}`)
  return new URL(String(res.headers.location))
}

/** The buyer's browser at the return URL: the shop syncs and redirects to the order page. */
async function comeBack (p: Pair, url: URL): Promise<{ status: number, location: string | null }> {
  const res = await fetch(url, { redirect: 'manual' })
  return { status: res.status, location: res.headers.get('location') }
}

t.test('3-D Secure passed: the return page syncs by query before any notification', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  await p.rule({ notification: 'delay;1h' }) // the return must not lean on the notification
  const order = await p.checkout({ amount: 3100, card: { number: THREE_DS_CARD } })
  t.equal(order.status, 'pending_payment')
  t.equal(order.payment_status, 'requires_action')
  t.match(order.next_action_url, /\/cashier\/pay_/)
  const back = await buyer(p, order.payment_id as string, { code: '123456' })
  t.equal(`${back.origin}${back.pathname}`, `${p.shopUrl}/orders/${order.id}/return`)
  t.equal(back.searchParams.get('merchant_order_id'), order.id)
  const page = await comeBack(p, back)
  t.same(page, { status: 303, location: `/orders/${order.id}` })
  t.equal(p.order(order.id).status, 'paid')
  t.equal(p.order(order.id).next_action_url, null)
  t.same(p.order(order.id).applied_events, [], 'settled by the query alone')
  const html = await (await fetch(`${p.shopUrl}/orders/${order.id}`)).text()
  t.match(html, /data-status="paid"/)
})

t.test('3-D Secure failed: payment_failed with authentication_failed', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await p.checkout({ amount: 3100, card: { number: THREE_DS_CARD } })
  await comeBack(p, await buyer(p, order.payment_id as string, { code: '000000' }))
  t.equal(p.order(order.id).status, 'payment_failed')
  t.equal(p.order(order.id).failure?.code, 'authentication_failed')
})

t.test('a return URL visited before the buyer acted changes nothing, and a forged one proves nothing', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await p.checkout({ method: 'wallet', amount: 2000 })
  const early = await comeBack(p, new URL(`${p.shopUrl}/orders/${order.id}/return?payment_id=${order.payment_id}&status=succeeded`))
  t.equal(early.status, 303)
  t.equal(p.order(order.id).status, 'pending_payment', 'the query says requires_action')
  await comeBack(p, await buyer(p, order.payment_id as string, { action: 'pass' }))
  t.equal(p.order(order.id).status, 'paid')
  const unknown = await fetch(`${p.shopUrl}/orders/ord_nothere/return`, { redirect: 'manual' })
  t.equal(unknown.status, 404)
})

t.test('wallet declined, bank transfer approved', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const declined = await p.checkout({ method: 'wallet', amount: 2000 })
  await comeBack(p, await buyer(p, declined.payment_id as string, { action: 'fail' }))
  t.equal(p.order(declined.id).status, 'payment_failed')
  t.equal(p.order(declined.id).failure?.code, 'payment_declined')
  const transfer = await p.checkout({ method: 'bank_transfer', amount: 2000 })
  t.equal(transfer.status, 'pending_payment')
  await comeBack(p, await buyer(p, transfer.payment_id as string, { action: 'pass' }))
  t.equal(p.order(transfer.id).status, 'paid')
})

t.test('a buyer who never acts: the payment expires, the order closes', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await p.checkout({ method: 'wallet', amount: 2000, expires_in: 60 })
  await p.advance('61s')
  t.equal(p.order(order.id).status, 'closed', 'payment.expired applied')
  t.equal(p.order(order.id).payment_status, 'canceled')
})

t.test('manual capture: authorized is not paid; the capture (and its notification) is', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await p.checkout({ amount: 5000, capture: 'manual' })
  t.equal(order.status, 'pending_payment')
  t.equal(order.payment_status, 'authorized')
  await p.advance()
  t.equal(p.order(order.id).status, 'pending_payment', 'payment.authorized does not make it paid')
  const operator = p.client()
  const captured = await operator.capturePayment(order.payment_id as string, 3000)
  t.same([captured.status, captured.amount_captured], ['succeeded', 3000])
  await p.advance()
  t.equal(p.order(order.id).status, 'paid', 'payment.captured applied')
  const again = await operator.capturePayment(order.payment_id as string).catch((e) => e)
  t.equal(again.code, 'PAYLAB_INVALID_STATE_TRANSITION', 'captured once')
  const refund = await p.call('POST', `/api/orders/${order.id}/refunds`, { amount: 3000 })
  t.equal(refund.status, 200)
  t.equal(refund.body.status, 'refunded', 'all that was captured came back')
  const over = await p.call('POST', `/api/orders/${order.id}/refunds`, { amount: 1 })
  t.equal(over.body.error?.code, 'PAYLAB_REFUND_AMOUNT_EXCEEDED')
})

t.test('manual capture canceled by the operator: the order closes', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await p.checkout({ amount: 5000, capture: 'manual' })
  await p.client().cancelPayment(order.payment_id as string)
  await p.advance()
  t.equal(p.order(order.id).status, 'closed')
})
