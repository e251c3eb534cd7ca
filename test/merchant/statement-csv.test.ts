// The statement CSV between the two parties: the gateway writes it (csv-stringify), the shop reads
// it (csv-parse), by column name.
import t from 'tap'
import { PAYLAB_ONLY, build } from '../helpers/build.js'
import { toCsv } from '../../gateway/engine/statements.js'
import { parseStatement } from '../../merchant/shop/reconcile.js'

t.test('a statement from the gateway reads back row for row', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const ids = ['plain-1', 'order.2', 'order:3']
  for (const [i, id] of ids.entries()) {
    const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: { merchant_order_id: id, amount: 100 + i, currency: 'USD', method: { type: 'wallet' } } })
    t.equal(res.statusCode, 201, `created ${id}`)
  }
  const res = await gw.signed({ method: 'GET', path: `/v1/statements?date=${new Date().toISOString().slice(0, 10)}` })
  t.equal(res.statusCode, 200)
  t.ok(res.body.startsWith('payment_id,merchant_order_id,created_at,status,method,currency,amount,amount_captured,amount_refunded,failure_code\r\n'), 'the header row, CRLF')
  t.equal(res.body.split('\r\n').length, ids.length + 2, 'a row per payment, each ending in CRLF')
  const rows = parseStatement(res.body)
  t.same(rows.map((r) => r.merchant_order_id).sort(), [...ids].sort())
  t.same(rows.map((r) => r.amount).sort(), [100, 101, 102], 'amounts are numbers')
  t.ok(rows.every((r) => r.status === 'requires_action' && r.amount_captured === 0 && r.payment_id.startsWith('pay_')))
})

t.test('fields with commas, quotes and line breaks are quoted, and read back as they were', async (t) => {
  const values = ['a,b', 'say "hi"', 'line\nbreak', 'cr\ronly', 'crlf\r\nx', ' spaced ', '']
  const csv = toCsv([['payment_id', 'merchant_order_id', 'status', 'amount'], ...values.map((v, i) => [`pay_${i}`, v, 'succeeded', i])])
  t.match(csv, /^pay_0,"a,b",succeeded,0\r\n/m, 'a comma is quoted')
  t.match(csv, /^pay_1,"say ""hi""",/m, 'a quote is doubled inside quotes')
  t.match(csv, /^pay_2,"line\nbreak",/m, 'a lone LF is quoted')
  t.match(csv, /^pay_3,"cr\ronly",/m, 'a lone CR is quoted')
  t.match(csv, /^pay_6,,succeeded,6\r\n$/m, 'an empty field is empty')
  // Fewer columns than the gateway's, in another order: the shop reads them by name.
  const rows = parseStatement(csv)
  t.same(rows.map((r) => r.merchant_order_id), values)
  t.same(rows.map((r) => r.amount), values.map((_, i) => i))
})
