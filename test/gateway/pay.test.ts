import t from 'tap'
import { createHash, createHmac } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { build, orderId, testCrypto, PAYLAB_ONLY } from '../helpers/build.js'
import { CLIENT_PATH, pythonHasRequests, runSourceDocumentClient } from '../helpers/python-client.js'
import { buildGateway } from '../../gateway/server.js'
import { MAGIC_AMOUNTS } from '../../gateway/engine/outcomes.js'

const hexHmac = (secret: string, body: string | Buffer): string => createHmac('sha256', secret).update(body).digest('hex')

/** POSTs a raw /pay body signed (or not) the way the source document's client signs it. */
function pay (app: FastifyInstance, body: string, signature: string | null = hexHmac('your-api-key', body)) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (signature !== null) headers.signature = signature
  return app.inject({ method: 'POST', url: '/pay', headers, payload: body })
}

const payBody = (fields: Record<string, string>): string =>
  `{"user_id": "${fields.user_id ?? 'u-1'}", "order_id": "${fields.order_id ?? orderId()}", "amount": ${fields.amount ?? '100.0'}, "currency": "${fields.currency ?? 'USD'}"}`

t.test('the fixture is the source document client with only PAYMENT_API_URL changed', async (t) => {
  const text = await readFile(CLIENT_PATH, 'utf8')
  const lines = text.split('\n')
  const urlLines = lines.filter((l) => l.startsWith('PAYMENT_API_URL = '))
  t.equal(urlLines.length, 1)
  // SHA-256 of the code block in shared/seed/000_26a13edfe6de7a25.txt, section 4.
  const original = lines.slice(lines.findIndex((l) => !l.startsWith('#'))).join('\n')
    .replace(/^PAYMENT_API_URL = .*$/m, "PAYMENT_API_URL = 'https://api.payment-channel.com/pay'")
  t.equal(createHash('sha256').update(original).digest('hex'), 'cbe444900972cb2d46003f929319f10187f1f6d31347c1afd614beca080f080b')
})

t.test('the unchanged Python client pays 100.00 USD over real HTTP and prints 支付成功', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const address = await gw.app.listen({ port: 0, host: '127.0.0.1' })
  // With requests when python3 has it, and always once with the urllib stand-in (the fallback).
  const modes = pythonHasRequests() ? [false, true] : [true]
  let paymentId: string | undefined
  for (const standIn of modes) {
    const run = await runSourceDocumentClient(`${address}/pay`, standIn)
    t.equal(run.code, 0, run.stderr)
    t.equal(run.stdout.trim(), '支付成功', `stand-in: ${String(standIn)}`)
    const id = gw.engine.merchantPayments('seed').find((p) => p.merchant_order_id === '1234567890')?.id
    t.ok(id !== undefined, 'the payment is stored under merchant seed')
    if (paymentId !== undefined) t.equal(id, paymentId, 'running the client again reuses the order')
    paymentId = id
  }
  const payment = gw.engine.getPayment('seed', paymentId as string)
  t.equal(payment.merchant_id, 'seed')
  t.equal(payment.amount, 10000)
  t.equal(payment.currency, 'USD')
  t.equal(payment.status, 'succeeded')
  t.equal(payment.metadata.user_id, '123456')
})

t.test('the answer is signed: lowercase hex HMAC-SHA256 of its raw body', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const res = await pay(gw.app, payBody({ amount: '100.0' }))
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.headers.signature, hexHmac('your-api-key', res.rawPayload))
  t.match(String(res.headers.signature), /^[0-9a-f]{64}$/)
  t.equal(res.json().status, 'success')
  t.match(res.body, /"amount":100\.00[,}]/, 'the amount goes back with the currency decimals')
})

t.test('a missing or wrong Signature is 401 PAYLAB_PAY_SIGNATURE_INVALID in the client shape', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const body = payBody({})
  const cases: Array<[string, string | null]> = [
    ['missing', null],
    ['wrong secret', hexHmac('not-the-key', body)],
    ['other body', hexHmac('your-api-key', body + ' ')],
    ['not hex', 'zz'.repeat(32)],
    ['base64 instead of hex', createHmac('sha256', 'your-api-key').update(body).digest('base64')]
  ]
  for (const [name, signature] of cases) {
    const res = await pay(gw.app, body, signature)
    t.equal(res.statusCode, 401, name)
    t.equal(res.json().status, 'failed', name)
    t.equal(res.json().code, 'PAYLAB_PAY_SIGNATURE_INVALID', name)
    t.equal(res.headers.signature, hexHmac('your-api-key', res.rawPayload), `${name}: the refusal is signed too`)
  }
  for (const invalid of ['{}', '{"amount": "x"}', '[]']) {
    const res = await pay(gw.app, invalid, 'ab'.repeat(32))
    t.equal(res.json().code, 'PAYLAB_PAY_SIGNATURE_INVALID', `the signature is checked before the shape of ${invalid}`)
  }
  t.equal(gw.engine.storedCounts().payments, 0, 'nothing was paid')
})

t.test('amounts: decimals beyond the currency are refused, KWD keeps three', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  for (const [amount, currency] of [['100.001', 'USD'], ['1.5', 'JPY'], ['0.0001', 'KWD']]) {
    const res = await pay(gw.app, payBody({ amount: amount as string, currency: currency as string }))
    t.equal(res.statusCode, 400, `${amount} ${currency as string}`)
    t.equal(res.json().status, 'failed')
    t.equal(res.json().code, 'PAYLAB_AMOUNT_INVALID')
    t.equal(res.headers.signature, hexHmac('your-api-key', res.rawPayload))
  }
  const kwd = await pay(gw.app, payBody({ amount: '1.234', currency: 'KWD' }))
  t.equal(kwd.statusCode, 200, kwd.body)
  t.equal(gw.engine.getPayment('seed', kwd.json().payment_id).amount, 1234)
  t.match(kwd.body, /"amount":1\.234[,}]/)
  const jpy = await pay(gw.app, payBody({ amount: '500', currency: 'JPY' }))
  t.equal(gw.engine.getPayment('seed', jpy.json().payment_id).amount, 500)
})

t.test('magic amounts end as outcomes.ts says', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  for (const [minor, outcome] of Object.entries(MAGIC_AMOUNTS)) {
    const amount = (Number(minor) / 100).toFixed(2)
    const res = await pay(gw.app, payBody({ amount }))
    t.equal(res.statusCode, 200, `${amount}: ${res.body}`)
    const answer = res.json()
    if (outcome.kind === 'decline') {
      t.equal(answer.status, 'failed', amount)
      t.equal(answer.code, outcome.code, amount)
    } else {
      t.equal(answer.status, outcome.kind, amount)
    }
    t.equal(gw.engine.getPayment('seed', answer.payment_id).amount, Number(minor))
  }
  const declined = (await pay(gw.app, payBody({ amount: '400.02' }))).json()
  t.same([declined.status, declined.code], ['failed', 'payment_declined'])
})

t.test('the same order_id again is the same payment; with another amount it is a 409', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const order = orderId()
  const first = await pay(gw.app, payBody({ order_id: order, amount: '25.5' }))
  const again = await pay(gw.app, payBody({ order_id: order, amount: '25.50' }))
  t.equal(again.statusCode, 200, again.body)
  t.equal(again.json().payment_id, first.json().payment_id)
  const other = await pay(gw.app, payBody({ order_id: order, amount: '26' }))
  t.equal(other.statusCode, 409, other.body)
  t.equal(other.json().status, 'failed')
  t.equal(other.json().code, 'PAYLAB_ORDER_ID_CONFLICT')
  t.equal(other.json().payment_id, first.json().payment_id)
  t.equal(gw.engine.storedCounts().payments, 1)
})

t.test('the seed secret is configurable and a restart with another secret uses it', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'paylab-pay-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const first = await buildGateway({ dataDir, crypto: testCrypto, config: { seedSecret: 'first-secret' } })
  const body = payBody({})
  t.equal((await pay(first.app, body)).statusCode, 401, 'the default secret no longer works')
  const ok = await pay(first.app, body, hexHmac('first-secret', body))
  t.equal(ok.statusCode, 200, ok.body)
  t.equal(ok.headers.signature, hexHmac('first-secret', ok.rawPayload))
  await first.app.close()

  const second = await buildGateway({ dataDir, crypto: testCrypto, config: { seedSecret: 'second-secret' } })
  t.teardown(() => second.app.close())
  const body2 = payBody({})
  t.equal((await pay(second.app, body2, hexHmac('first-secret', body2))).statusCode, 401, 'the old secret is gone')
  const ok2 = await pay(second.app, body2, hexHmac('second-secret', body2))
  t.equal(ok2.statusCode, 200, ok2.body)
  t.equal(ok2.headers.signature, hexHmac('second-secret', ok2.rawPayload))
  t.equal(second.engine.getPayment('seed', ok.json().payment_id).amount, 10000, 'the first run\'s payment was kept')
})
