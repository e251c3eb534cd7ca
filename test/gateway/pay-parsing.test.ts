// /pay takes client input as data, never as a key into a plain object or text to splice into:
// prototype names as currency, the old answer template's placeholder as order_id, and amounts
// whose decimals a double would round away.
import t from 'tap'
import { createHmac } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { build, orderId, PAYLAB_ONLY } from '../helpers/build.js'

const hexHmac = (body: string | Buffer): string => createHmac('sha256', 'your-api-key').update(body).digest('hex')

function pay (app: FastifyInstance, body: string) {
  return app.inject({ method: 'POST', url: '/pay', headers: { 'content-type': 'application/json', signature: hexHmac(body) }, payload: body })
}

t.test('currency names of Object.prototype are unsupported currencies, and nothing is stored', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  for (const currency of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    const res = await pay(gw.app, JSON.stringify({ user_id: 'u-1', order_id: orderId(), amount: 100.0, currency }))
    t.equal(res.statusCode, 400, `${currency}: ${res.body}`)
    const answer = JSON.parse(res.body) // valid JSON: this threw on the old answer template
    t.same([answer.status, answer.code, answer.field], ['failed', 'PAYLAB_CURRENCY_UNSUPPORTED', 'currency'], currency)
    t.equal(res.headers.signature, hexHmac(res.rawPayload), `${currency}: the refusal is signed`)
  }
  t.equal(gw.engine.storedCounts().payments, 0, 'no payment was stored')
})

t.test('an order_id holding the old answer template placeholder comes back as sent', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  for (const order of ['\u0000AMOUNT\u0000', '"\\u0000AMOUNT\\u0000"', '{"amount":1}']) {
    const res = await pay(gw.app, JSON.stringify({ user_id: 'u-1', order_id: order, amount: 12.5, currency: 'USD' }))
    t.equal(res.statusCode, 200, res.body)
    const answer = JSON.parse(res.body)
    t.equal(answer.order_id, order, 'order_id is the one sent')
    t.equal(answer.amount, 12.5, 'amount is the one charged')
    t.match(res.body, /"amount":12\.50,"currency":"USD"\}$/, 'the amount keeps the currency decimals')
  }
})

t.test('the answer is byte-compatible with the source document client wire format', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const order = orderId()
  const ok = await pay(gw.app, `{"user_id": "u-1", "order_id": "${order}", "amount": 100.0, "currency": "USD"}`)
  const id = JSON.parse(ok.body).payment_id as string
  t.equal(ok.body, `{"status":"success","payment_id":"${id}","order_id":"${order}","amount":100.00,"currency":"USD"}`)
  const jpy = await pay(gw.app, `{"user_id": "u-1", "order_id": "${order}-j", "amount": 500, "currency": "JPY"}`)
  t.match(jpy.body, /"amount":500,"currency":"JPY"\}$/)
  const declined = await pay(gw.app, `{"user_id": "u-1", "order_id": "${order}-d", "amount": 400.02, "currency": "USD"}`)
  const d = JSON.parse(declined.body)
  t.equal(declined.body, `{"status":"failed","payment_id":"${d.payment_id as string}","order_id":"${order}-d","amount":400.02,"currency":"USD","code":"payment_declined","message":${JSON.stringify(d.message)}}`)
})

t.test('amounts are read from the number as sent, not from a double', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const body = (amount: string, currency = 'USD', order = orderId()): string =>
    `{"user_id": "u-1", "order_id": "${order}", "amount": ${amount}, "currency": "${currency}"}`
  for (const amount of ['100.0099999999999999', '0.0100000000000000001', '19.999999999999999999', '1.0000000000000001e2']) {
    const res = await pay(gw.app, body(amount))
    t.equal(res.statusCode, 400, `${amount}: ${res.body}`)
    t.same([JSON.parse(res.body).code, JSON.parse(res.body).field], ['PAYLAB_AMOUNT_INVALID', 'amount'], amount)
  }
  t.equal(gw.engine.storedCounts().payments, 0, 'none was charged')
  const charged = async (raw: string): Promise<number> => {
    const res = await pay(gw.app, raw)
    t.equal(res.statusCode, 200, `${raw}: ${res.body}`)
    return gw.engine.getPayment('seed', JSON.parse(res.body).payment_id).amount
  }
  t.equal(await charged(body('100.0100000000000000')), 10001, 'trailing zeros are no extra decimals')
  t.equal(await charged(body('1.5e2')), 15000, 'an exponent is read as written')
  t.equal(await charged(body('1.234', 'KWD')), 1234)
  // JSON.parse keeps the last of a repeated name and decodes escaped names; so does the amount's text.
  t.equal(await charged(`{"amount": 1.001, "user_id": "u-1", "order_id": "${orderId()}", "amount": 7.25, "currency": "USD"}`), 725)
  t.equal(await charged(`{"user_id": "u-1", "order_id": "${orderId()}", "\\u0061mount": 8.5, "currency": "USD"}`), 850)
  t.equal(await charged(body(' 3.10 ')), 310, 'whitespace around the number')
})

t.test('the cashier names a wallet provider that is a prototype name as itself', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  for (const provider of ['constructor', 'to_string', '__proto__']) {
    const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: { merchant_order_id: orderId(), amount: 5000, currency: 'USD', method: { type: 'wallet', wallet: { provider } } } })
    t.equal(res.statusCode, 201, res.body)
    const page = await gw.app.inject({ method: 'GET', url: `/cashier/${res.json().id as string}` })
    t.equal(page.statusCode, 200)
    t.notMatch(page.body, 'Pay with Object', `${provider}: not named after Object.prototype`)
    t.notMatch(page.body, 'function', provider)
    t.match(page.body, /<button type="submit" name="method" value="wallet:alipay"[^>]*>Alipay</, 'the listed wallets keep their names')
  }
  const constructorPage = await gw.app.inject({ method: 'GET', url: `/cashier/${(await gw.signed({ method: 'POST', path: '/v1/payments', body: { merchant_order_id: orderId(), amount: 5000, currency: 'USD', method: { type: 'wallet', wallet: { provider: 'constructor' } } } })).json().id as string}` })
  t.match(constructorPage.body, 'Pay with Constructor')
})
