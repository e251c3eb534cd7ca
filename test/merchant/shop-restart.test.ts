// The shop's store is its own folder of per-order files: a restarted shop has every order as it
// was, finds orders by payment again, and takes in what happened while it was down.
import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildPair } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

t.test('orders survive a restart intact, and the restarted shop carries on with them', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const paid = await p.checkout({ items: [{ product_id: 'prod_002', quantity: 1 }, { product_id: 'prod_003', quantity: 3 }] })
  const waiting = await p.checkout({ method: 'wallet', amount: 2200 })
  const refunded = await p.checkout({ amount: 9000 })
  await p.call('POST', `/api/orders/${refunded.id}/refunds`, { amount: 4000 })
  await p.advance()
  const before = Object.fromEntries([paid, waiting, refunded].map((o) => [o.id, p.order(o.id)]))
  const files = (await readdir(join(p.dataDir, 'orders'))).filter((f) => f.endsWith('.json')).sort()
  t.same(files, Object.keys(before).map((id) => `${id}.json`).sort(), 'one file per order')
  t.same(JSON.parse(await readFile(join(p.dataDir, 'orders', `${paid.id}.json`), 'utf8')), before[paid.id], 'on disk as in memory')

  await p.restart()
  for (const id of Object.keys(before)) t.same(p.order(id), before[id], `${id} as it was`)
  t.same(p.order(paid.id).items.map((i) => i.quantity), [1, 3])

  // The buyer approves while the shop runs again: the notification finds the order.
  await p.gw.cashier(waiting.payment_id as string, { action: 'pass' })
  await p.advance()
  t.equal(p.order(waiting.id).status, 'paid')
  const more = await p.call('POST', `/api/orders/${refunded.id}/refunds`, { amount: 5000 })
  t.same([more.status, more.body.status, more.body.refunds.length], [200, 'refunded', 2], 'refunds continue with new ids')
  // A refund event for a payment the shop knows only from its files.
  await p.client().createRefund(paid.payment_id as string, { merchant_refund_id: `ops-${paid.id}`, amount: 100 })
  await p.advance()
  t.equal(p.order(paid.id).status, 'partially_refunded', 'found by payment id after the restart')
})

t.test('a notification sent while the shop is down is retried and applied after the restart', async (t) => {
  const p = await buildPair(t, { gateway: PAYLAB_ONLY })
  const order = await p.checkout({ method: 'wallet', amount: 2200 })
  await p.shopApp.close()
  await p.gw.cashier(order.payment_id as string, { action: 'pass' })
  await p.advance()
  const [event] = (await p.admin('GET', `/admin/events?merchant_id=${p.merchant.id}`)).data
  t.equal(event.attempts[0].status_code, null, 'nobody answered')
  t.equal(event.status, 'pending')
  await p.restart()
  t.equal(p.order(order.id).status, 'pending_payment')
  await p.advance('15s')
  t.equal(p.order(order.id).status, 'paid')
  t.same(p.order(order.id).applied_events, [event.id])
})
