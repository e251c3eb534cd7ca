// The statement CSV between the two parties: the gateway writes it (csv-stringify), the shop reads
// it (csv-parse), by column name. A cell a spreadsheet would run as a formula is sent with a
// leading single quote, which the shop takes off (docs/protocol.md, "The daily statement").
import t from 'tap'
import { createHmac } from 'node:crypto'
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

t.test('merchant order ids a spreadsheet would run as formulas are sent with a leading quote, and read back as sent', async (t) => {
  const gw = await build(t)
  const day = new Date().toISOString().slice(0, 10)
  // The paylab profile's merchant_order_id may start with '-' (^[A-Za-z0-9._:-]+$): -A1 is a formula.
  const paylab = ['-A1', '-2']
  for (const id of paylab) {
    const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: { merchant_order_id: id, amount: 100, currency: 'USD', method: { type: 'wallet' } } })
    t.equal(res.statusCode, 201, `created ${id}`)
  }
  // /pay (the source document's client) takes any order_id text.
  const pay = ['=HYPERLINK("http://evil.example","x")', '+1+1', '@SUM(1)', '\t=1', '\r=1', "'=1", "'quoted"]
  for (const id of pay) {
    const body = JSON.stringify({ user_id: 'u-1', order_id: id, amount: 1.0, currency: 'USD' })
    const res = await gw.app.inject({ method: 'POST', url: '/pay', headers: { 'content-type': 'application/json', signature: createHmac('sha256', 'your-api-key').update(body).digest('hex') }, payload: body })
    t.equal(res.statusCode, 200, `paid ${JSON.stringify(id)}`)
  }
  const mine = await gw.signed({ method: 'GET', path: `/v1/statements?date=${day}` })
  t.equal(mine.statusCode, 200)
  t.match(mine.body, /^pay_\w+,'-A1,/m, 'a leading - is quoted')
  t.match(mine.body, /^pay_\w+,'-2,/m)
  t.same(parseStatement(mine.body).map((r) => r.merchant_order_id).sort(), [...paylab].sort(), 'the shop reads the ids as sent')
  const seed = gw.engine.statement('seed', day)
  const cells = parseStatement(seed).map((r) => r.merchant_order_id)
  t.same([...cells].sort(), [...pay].sort(), 'read back as sent')
  for (const line of seed.split('\r\n').slice(1, -1)) {
    const cell = /^pay_\w+,("(?:[^"]|"")*"|[^,]*),/.exec(line)?.[1] ?? ''
    t.match(cell.replace(/^"/, ''), /^'/, `${JSON.stringify(cell)}: quoted, no cell starts with = + - @ tab or CR`)
  }
})

t.test('the formula guard: a quote before = + - @ tab CR or a quote, nothing else; the shop undoes exactly that', async (t) => {
  const values = ['=1+1', '+1', '-1', '@x', '\tx', '\rx', "'", "'=1", "''", 'a=1', ' =1', 'x\'', '']
  const csv = toCsv([['payment_id', 'merchant_order_id', 'status', 'amount'], ...values.map((v, i) => [`pay_${i}`, v, i === 0 ? '-neg' : 'succeeded', -i])])
  t.match(csv, /^pay_0,'=1\+1,'-neg,0\r\n/m, 'every text cell is guarded, not just the order id')
  t.match(csv, /^pay_2,'-1,succeeded,-2\r\n/m, 'a number is a number: no quote')
  t.match(csv, /^pay_4,'\tx,/m, 'a tab needs no CSV quotes')
  t.match(csv, /^pay_5,"'\rx",/m, 'CSV-quoted as well, for the CR')
  t.match(csv, /^pay_6,'',/m, 'a lone quote is quoted, so that it reads back')
  t.match(csv, /^pay_9,a=1,/m, 'a formula sign after the first character is left')
  t.match(csv, /^pay_10, =1,/m)
  const rows = parseStatement(csv)
  t.same(rows.map((r) => r.merchant_order_id), values)
  t.same(rows[0]?.status, '-neg')
})
