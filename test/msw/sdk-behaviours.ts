// One suite of merchant-SDK behaviours with one set of expectations, run against a listening
// gateway and against the msw handlers (parity-socket.test.ts, parity-msw.test.ts).
import type { Test } from 'tap'
import { PaylabNetworkError, PaylabSignatureError, verifyNotification, type Payment } from '../../merchant/sdk/index.js'
import type { Env } from './env.js'

const card = (number: string) => ({ number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: '123' })
let n = 0
const order = () => `parity-${process.pid}-${++n}`

export const FAULTS = [
  'delay;50', 'slow_body;10', 'timeout_not_processed;2000', 'response_lost', 'connection_reset', 'empty_response',
  'http_500', 'http_502', 'http_503;1', 'http_429;1', 'malformed_body', 'bad_signature', 'unknown_key', 'stale_timestamp'
]

export function sdkBehaviours (t: Test, make: (t: Test) => Promise<Env>): void {
  t.test('a card payment succeeds and a decline fails with its code', async (t) => {
    const env = await make(t)
    const client = env.client()
    t.equal((await client.createPayment({ merchant_order_id: order(), amount: 1999, currency: 'USD', method: { type: 'card', card: card('4242424242424242') } })).status, 'succeeded')
    const declined = await client.createPayment({ merchant_order_id: order(), amount: 1999, currency: 'USD', method: { type: 'card', card: card('4000000000009995') } })
    t.equal(declined.status, 'failed')
    t.equal(declined.failure?.code, 'insufficient_funds')
  })

  t.test('every transport fault on a create ends in one succeeded payment', async (t) => {
    const env = await make(t)
    const client = env.client({ timeoutMs: 1500 })
    for (const fault of FAULTS) {
      const id = order()
      await env.addRule({ match: { method: 'POST', path: '/v1/payments', merchant_order_id: id }, fault, times: 1 })
      const payment = await client.createPayment({ merchant_order_id: id, amount: 1999, currency: 'USD', method: { type: 'card', card: card('4242424242424242') } })
      t.equal(payment.status, 'succeeded', `${fault}: succeeded`)
      t.equal(env.paymentsFor(id), 1, `${fault}: exactly one payment`)
    }
  })

  t.test('an answer with a broken signature is never returned as a result', async (t) => {
    const env = await make(t)
    for (const fault of ['bad_signature', 'unknown_key', 'stale_timestamp']) {
      await env.addRule({ match: { method: 'GET', path: '/v1/payments' }, fault, times: 1 })
      await t.rejects(env.client().request('GET', '/v1/payments'), PaylabSignatureError, fault)
    }
  })

  t.test('the same Idempotency-Key gives the same payment', async (t) => {
    const env = await make(t)
    const client = env.client()
    const params = { merchant_order_id: order(), amount: 500, currency: 'EUR', method: { type: 'wallet' as const } }
    const a = await client.createPayment(params, { idempotencyKey: 'parity-key-1' })
    const b = await client.createPayment(params, { idempotencyKey: 'parity-key-1' })
    t.equal(a.id, b.id)
    t.equal(env.paymentsFor(params.merchant_order_id), 1)
  })

  t.test('3-D Secure through the hosted page, then refunds', async (t) => {
    const env = await make(t)
    const client = env.client()
    const created = await client.createPayment({ merchant_order_id: order(), amount: 3000, currency: 'USD', method: { type: 'card', card: card('4000002760003184') } })
    t.equal(created.status, 'requires_action')
    t.ok(created.next_action?.url.startsWith(`${env.baseUrl}/cashier/`))
    const page = await fetch(created.next_action?.url as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: '123456' }) })
    t.equal(page.status, 200)
    const paid = await client.getPayment(created.id)
    t.equal(paid.status, 'succeeded')
    await client.createRefund(paid.id, { merchant_refund_id: `${paid.merchant_order_id}-r1`, amount: 1000 })
    const after = await client.getPayment(paid.id)
    t.equal(after.amount_refunded, 1000)
  })

  t.test('the clock expires unpaid payments and resolves processing ones', async (t) => {
    const env = await make(t)
    const client = env.client()
    const wallet = await client.createPayment({ merchant_order_id: order(), amount: 700, currency: 'JPY', method: { type: 'wallet' } })
    const pending = await client.createPayment({ merchant_order_id: order(), amount: 700, currency: 'USD', method: { type: 'card', card: card('4000000000003055') } })
    t.equal(pending.status, 'processing')
    await env.advance('16m')
    const expired: Payment = await client.getPayment(wallet.id)
    t.equal(expired.status, 'canceled')
    t.equal(expired.cancellation_reason, 'expired')
    t.equal((await client.getPayment(pending.id)).status, 'succeeded')
  })

  t.test('notifications arrive signed and verify with the SDK', async (t) => {
    const env = await make(t)
    await env.client().createPayment({ merchant_order_id: order(), amount: 1200, currency: 'USD', method: { type: 'card', card: card('4242424242424242') }, notify_url: env.notifyUrl })
    await env.advance('1s')
    const deadline = Date.now() + 10_000
    while (env.received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    const got = env.received[0]
    t.ok(got, 'a notification arrived')
    const event = verifyNotification(got?.body ?? '', got?.headers ?? {}, { secret: env.merchantSecret, toleranceSec: 10 ** 9 })
    t.equal(event.type, 'payment.succeeded')
  })

  t.test('a connection reset: ECONNRESET on a socket, a network error in-process', async (t) => {
    const env = await make(t)
    await env.addRule({ match: { method: 'GET', path: '/v1/payments' }, fault: 'connection_reset', times: 1 })
    const err = await env.client().request('GET', '/v1/payments').catch((e: unknown) => e)
    t.type(err, PaylabNetworkError)
    // The one documented difference (docs/msw.md): msw cannot send a TCP reset.
    if (env.kind === 'socket') t.equal((err as PaylabNetworkError).code, 'ECONNRESET')
    else t.not((err as PaylabNetworkError).code, 'ECONNRESET')
  })
}
