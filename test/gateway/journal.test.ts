// The request journal through GET /admin/journal and /admin/journal/count, with the requests
// sent over a real socket: what each entry says (signature verdict with the string to sign,
// idempotency verdict, fault and rule, status, latency) and the filters a test asserts with.
import t from 'tap'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { orderId, PAYLAB_ONLY } from '../helpers/build.js'
import { addMerchant } from '../helpers/merchants.js'
import { live, methodPayment, type LiveGateway } from '../helpers/live.js'

const CARD = '4242424242424242'

async function journal (gw: LiveGateway, query = ''): Promise<any[]> {
  const res = await gw.admin({ method: 'GET', url: `/admin/journal${query}` })
  if (res.statusCode !== 200) throw new Error(`journal answered ${res.statusCode}: ${res.body}`)
  return res.json().data
}
const count = async (gw: LiveGateway, query: string): Promise<number> =>
  (await gw.admin({ method: 'GET', url: `/admin/journal/count${query}` })).json().count

t.test('an entry per request: time on the gateway clock, merchant, method, path, query, status, latency, ids', async (t) => {
  const start = Math.floor(Date.now() / 1000) * 1000 + 123
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock(start) })
  const created = await gw.answer({ method: 'POST', path: '/v1/payments', body: gw.cardPayment(CARD) })
  const listed = await gw.answer({ method: 'GET', path: '/v1/payments?limit=5' })
  const [first, second] = await journal(gw)
  t.match(first, {
    time: new Date(start).toISOString(), merchant_id: 'demo', method: 'POST', path: '/v1/payments', query: null, status: 201,
    request_id: created.headers['paylab-request-id'], payment_id: created.json().id, fault: null, rule_id: null, error_code: null
  })
  t.type(first.latency_ms, 'number')
  t.ok(first.latency_ms >= 0 && first.latency_ms < 5000, `latency ${String(first.latency_ms)} ms`)
  t.match(second, { method: 'GET', path: '/v1/payments', query: 'limit=5', status: 200, request_id: listed.headers['paylab-request-id'] })
  t.ok(second.seq > first.seq, 'seq grows')
})

t.test('the signature verdict, with the string the gateway signed, for valid and refused requests', async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  const ts = Math.floor(gw.engine.clock.now() / 1000)
  await gw.answer({ method: 'GET', path: '/v1/payments?limit=1', timestamp: ts, nonce: 'nonce-valid-000000001' })
  const bad = await gw.answer({ method: 'GET', path: '/v1/payments', timestamp: ts, nonce: 'nonce-bad-00000000001' }, { merchant: 'demo', secret: 'wrong' })
  t.equal(bad.status, 401)
  await gw.answer({ method: 'GET', path: '/v1/payments' }, { merchant: 'nobody', secret: 'x' })
  const [valid, refused, unknown] = await journal(gw)
  t.same(valid.signature, { verdict: 'valid', string_to_sign: `GET\n/v1/payments?limit=1\n${ts}\nnonce-valid-000000001\n\n` })
  t.same(refused.signature, { verdict: 'PAYLAB_SIGNATURE_INVALID', string_to_sign: `GET\n/v1/payments\n${ts}\nnonce-bad-00000000001\n\n` },
    'what the gateway expected the client to sign')
  t.match(refused, { merchant_id: 'demo', status: 401, error_code: 'PAYLAB_SIGNATURE_INVALID' })
  t.match(unknown, { merchant_id: null, status: 401, signature: { verdict: 'PAYLAB_MERCHANT_UNKNOWN' } })
})

t.test('the idempotency verdict: none, new, replayed, conflict', async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  const body = gw.cardPayment(CARD)
  await gw.answer({ method: 'POST', path: '/v1/payments', body: gw.cardPayment(CARD) })
  await gw.answer({ method: 'POST', path: '/v1/payments', body, idempotencyKey: 'key-1' })
  const replay = await gw.answer({ method: 'POST', path: '/v1/payments', body, idempotencyKey: 'key-1' })
  t.equal(replay.headers['paylab-idempotent-replayed'], 'true')
  const conflict = await gw.answer({ method: 'POST', path: '/v1/payments', body: gw.cardPayment(CARD), idempotencyKey: 'key-1' })
  t.equal(conflict.status, 409)
  t.same((await journal(gw)).map((e) => e.idempotency), [null, 'new', 'replayed', 'conflict'])
})

t.test('faults and rules are named; a request that got no answer has status null', async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  const rule = (await gw.admin({ method: 'POST', url: '/admin/rules', payload: { merchant_id: 'demo', match: { merchant_order_id: 'ruled-*' }, fault: 'http_502' } })).json()
  const ruled = gw.cardPayment(CARD, { merchant_order_id: `ruled-${orderId()}` })
  await gw.call({ method: 'POST', path: '/v1/payments', body: ruled })
  await gw.call({ method: 'POST', path: '/v1/payments', body: gw.cardPayment(CARD), headers: { 'paylab-scenario': 'connection_reset' } })
  await gw.call({ method: 'POST', path: '/v1/payments', body: methodPayment('wallet', 50004) })
  const [byRule, reset, lost] = await journal(gw)
  t.match(byRule, { fault: 'http_502', rule_id: rule.id, status: 502, error_code: 'PAYLAB_SIMULATED_FAULT', merchant_order_id: ruled.merchant_order_id })
  t.match(reset, { fault: 'connection_reset', rule_id: null, status: null, payment_id: null })
  t.match(lost, { fault: 'response_lost;0', status: null })
  t.match(lost.payment_id, /^pay_/, 'the lost answer still names the payment it committed')
})

t.test('/pay and the hosted cashier are journaled too', async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  await gw.pay({ user_id: 'u-1', order_id: orderId(), amount: 12.5, currency: 'USD' })
  const wallet = await gw.create(methodPayment('wallet', 1000))
  await gw.cashier(wallet.id, { action: 'pass' })
  const entries = await journal(gw)
  t.match(entries[0], { path: '/pay', merchant_id: 'seed', status: 200, signature: { verdict: 'valid' } })
  t.match(entries.at(-1), { method: 'POST', path: `/cashier/${wallet.id}`, status: 200, merchant_id: 'demo', payment_id: wallet.id },
    "the buyer's request is the payment's merchant's")
})

t.test('filters: merchant, path glob, since a seq, limit; count answers "exactly one create"', async (t) => {
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock() })
  const other = await addMerchant(gw)
  const body = gw.cardPayment(CARD)
  await gw.answer({ method: 'POST', path: '/v1/payments', body })
  await gw.advance('1s')
  const id = (await gw.answer({ method: 'GET', path: `/v1/payments/order/${body.merchant_order_id as string}` })).json().id
  await gw.advance('1s')
  await gw.answer({ method: 'GET', path: `/v1/payments/${id as string}` })
  await gw.answer({ method: 'POST', path: '/v1/payments', body: gw.cardPayment(CARD) }, other)
  t.equal(await count(gw, '?merchant_id=demo&path=/v1/payments&method=POST'), 1, 'exactly one create by demo')
  t.equal(await count(gw, '?path=/v1/payments&method=POST'), 2)
  t.equal(await count(gw, '?merchant_id=demo&path=/v1/payments/*'), 2, 'a glob')
  t.equal(await count(gw, `?merchant_id=${other.merchant}`), 1)
  t.same((await journal(gw, `?payment_id=${id as string}`)).map((e) => `${e.method as string} ${e.path as string}`),
    ['POST /v1/payments', `GET /v1/payments/order/${body.merchant_order_id as string}`, `GET /v1/payments/${id as string}`], 'the requests about one payment')
  t.equal(await count(gw, `?payment_id=${id as string}&method=GET`), 2, 'counted with the other filters')
  const badPayment = await gw.admin({ method: 'GET', url: '/admin/journal?payment_id=%27%3B' })
  t.same([badPayment.statusCode, badPayment.json().error.field], [400, 'payment_id'])
  const all = await journal(gw)
  t.same((await journal(gw, `?since=${all[1].seq as number}`)).map((e) => e.seq), all.slice(2).map((e) => e.seq), 'since a seq')
  t.same((await journal(gw, `?since=${encodeURIComponent(all[1].time)}`)).map((e) => e.seq), all.slice(2).map((e) => e.seq), 'since a time')
  t.same((await journal(gw, '?limit=2')).map((e) => e.seq), all.slice(-2).map((e) => e.seq), 'limit keeps the newest')
  const badLimit = await gw.admin({ method: 'GET', url: '/admin/journal?limit=0' })
  t.equal(badLimit.statusCode, 400)
  const badSince = await gw.admin({ method: 'GET', url: '/admin/journal/count?since=yesterday' })
  t.same([badSince.statusCode, badSince.json().error.field], [400, 'since'])
  const cleared = await gw.admin({ method: 'DELETE', url: '/admin/journal?merchant_id=demo' })
  t.equal(cleared.statusCode, 200)
  t.same([await count(gw, '?merchant_id=demo'), await count(gw, '')], [0, 1], "only demo's entries were forgotten")
})

t.test('no card number or CVC reaches the journal, even from a plaintext-card request', async (t) => {
  const gw = await live(t, { ...PAYLAB_ONLY, config: { allowPlaintextCards: true } })
  const body = { merchant_order_id: orderId(), amount: 1000, currency: 'USD', method: { type: 'card', card: { number: CARD, exp_month: 12, exp_year: 2040, cvc: '987' } } }
  const res = await gw.answer({ method: 'POST', path: '/v1/payments', body })
  t.equal(res.status, 201, res.text)
  const text = JSON.stringify(await journal(gw))
  t.notMatch(text, CARD)
  // The CVC as a value of its own: random ids and nonces in the journal may hold 987 by chance.
  t.notMatch(text, /(?<![A-Za-z0-9])987(?![A-Za-z0-9])/)
  t.match(text, '[redacted]')
})
