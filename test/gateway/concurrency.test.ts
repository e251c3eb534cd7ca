// Duplicates that arrive at the same moment, over a real socket: whatever their number, one
// effect. Each request is signed on its own (its own nonce), as retrying clients would.
import t from 'tap'
import { PAYLAB_ONLY, build, type TestGateway } from '../helpers/build.js'
import { answerVerifies, signRequest, type SignOptions } from '../helpers/signer.js'

const N = 50

interface Result { status: number, body: string, headers: Record<string, string> }
type Send = (opts: SignOptions) => Promise<Result>

async function listen (t: Parameters<typeof build>[0]): Promise<{ gw: TestGateway, send: Send }> {
  const gw = await build(t, PAYLAB_ONLY)
  const origin = await gw.app.listen({ port: 0, host: '127.0.0.1' })
  const send: Send = async (opts) => {
    const { headers, payload } = signRequest(gw.demo, opts)
    const res = await fetch(origin + opts.path, { method: opts.method, headers, body: payload === '' ? undefined : payload })
    return { status: res.status, body: await res.text(), headers: Object.fromEntries(res.headers) }
  }
  return { gw, send }
}

/** Fires N requests at once and waits for every answer. */
const burst = (make: (i: number) => Promise<Result>): Promise<Result[]> => Promise.all(Array.from({ length: N }, (_, i) => make(i)))
const idOf = (r: Result): string => JSON.parse(r.body).id
const count = <T>(xs: T[], f: (x: T) => boolean): number => xs.filter(f).length

async function listed (send: Send): Promise<Array<{ id: string, amount_refunded: number }>> {
  const res = await send({ method: 'GET', path: '/v1/payments?limit=100' })
  if (res.status !== 200) throw new Error(`list answered ${res.status}: ${res.body}`)
  return JSON.parse(res.body).data
}

t.test(`${N} identical creates with one Idempotency-Key make one payment`, async (t) => {
  const { gw, send } = await listen(t)
  const body = JSON.stringify(gw.cardPayment('4242424242424242'))
  const results = await burst(() => send({ method: 'POST', path: '/v1/payments', body, idempotencyKey: 'burst-key-1' }))
  t.same(results.map((r) => r.status), Array(N).fill(201), 'every answer is the first one: 201')
  t.equal(new Set(results.map(idOf)).size, 1, 'every answer names the same payment')
  t.equal(count(results, (r) => r.headers['paylab-idempotent-replayed'] !== 'true'), 1, 'one request did the work')
  t.equal(new Set(results.map((r) => r.body)).size, 1, 'the replays are byte for byte the first answer')
  t.ok(results.every((r) => answerVerifies(r.headers, r.body, { secret: gw.demo.secret })), 'each answer is signed')
  const payments = await listed(send)
  t.same(payments.map((p) => p.id), [idOf(results[0] as Result)], 'exactly one payment exists')
})

t.test(`${N} creates of one merchant_order_id without a key make one payment`, async (t) => {
  const { gw, send } = await listen(t)
  const body = JSON.stringify(gw.cardPayment('4242424242424242'))
  const results = await burst(() => send({ method: 'POST', path: '/v1/payments', body }))
  t.equal(count(results, (r) => r.status === 201), 1, 'one creates')
  t.equal(count(results, (r) => r.status === 200), N - 1, 'the others find it')
  t.equal(new Set(results.map(idOf)).size, 1)
  t.equal((await listed(send)).length, 1, 'exactly one payment exists')
})

t.test(`${N} concurrent refunds never refund more than was captured`, async (t) => {
  const { gw, send } = await listen(t)
  const created = await send({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { amount: 10000 }) })
  const id = idOf(created)
  const results = await burst((i) => send({ method: 'POST', path: `/v1/payments/${id}/refunds`, body: { merchant_refund_id: `part-${i}`, amount: 300 } }))
  const made = count(results, (r) => r.status === 201)
  t.equal(made, Math.floor(10000 / 300), 'as many refunds as fit')
  t.ok(results.every((r) => r.status === 201 || JSON.parse(r.body).error?.code === 'PAYLAB_REFUND_AMOUNT_EXCEEDED'), 'the rest are refused for the amount')
  const [payment] = await listed(send)
  t.equal(payment?.amount_refunded, made * 300, 'the payment adds up to the refunds made')

  const again = await burst(() => send({ method: 'POST', path: `/v1/payments/${id}/refunds`, body: { merchant_refund_id: 'part-0', amount: 300 } }))
  t.ok(again.every((r) => r.status === 200 && idOf(r) === idOf(results[0] as Result)), 'a reused merchant_refund_id answers the one refund')
  const refunds = await send({ method: 'GET', path: `/v1/payments/${id}/refunds` })
  t.equal(JSON.parse(refunds.body).data.length, made)
})

t.test(`${N} concurrent captures with their own keys capture once`, async (t) => {
  const { gw, send } = await listen(t)
  const created = await send({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { capture: 'manual', amount: 5000 }) })
  const id = idOf(created)
  const results = await burst((i) => send({ method: 'POST', path: `/v1/payments/${id}/capture`, body: { amount: 1000 + i }, idempotencyKey: `cap-${i}` }))
  const won = results.filter((r) => r.status === 200)
  t.equal(won.length, 1, 'one capture succeeds')
  t.ok(results.every((r) => r.status === 200 || JSON.parse(r.body).error?.code === 'PAYLAB_INVALID_STATE_TRANSITION'))
  const stored = JSON.parse((await send({ method: 'GET', path: `/v1/payments/${id}` })).body)
  t.equal(stored.amount_captured, JSON.parse((won[0] as Result).body).amount_captured, 'the stored capture is the one that was answered 200')
})
