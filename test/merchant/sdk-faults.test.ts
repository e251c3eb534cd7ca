// The SDK's createPayment through every transport fault of the catalogue, on a real socket, the
// fault set by a rule on the create: the client ends with the payment, the gateway holds exactly
// one payment for the order, an answer that cannot be used is followed by a query by
// merchant_order_id, and a retry (only when the query finds nothing) carries the same
// Idempotency-Key and the same bytes.
import t from 'tap'
import { FAULTS } from '../../gateway/engine/faults.js'
import { CARD, sharedGatewayBench } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'
import { recordingFetch } from '../helpers/recording-fetch.js'

// One gateway for the file: each test's bench has a merchant, rules and journal of its own on it.
const bench = sharedGatewayBench(PAYLAB_ONLY)

/**
 * answered: a usable answer, late or slow; committed: processed, but the answer is lost or cannot
 * be trusted (the query finds the payment); not_processed: the query finds nothing, so a retry.
 */
type Kind = 'answered' | 'committed' | 'not_processed'
const CASES: Array<[string, Kind]> = [
  ['delay;50', 'answered'],
  ['slow_body;10', 'answered'],
  ['timeout_not_processed;100', 'not_processed'],
  ['response_lost;20', 'committed'],
  ['connection_reset', 'not_processed'],
  ['empty_response', 'not_processed'],
  ['http_500', 'not_processed'],
  ['http_502', 'not_processed'],
  ['http_503;retry_after=0', 'not_processed'],
  ['http_429;retry_after=0', 'not_processed'],
  ['malformed_body', 'committed'],
  ['bad_signature', 'committed'],
  ['unknown_key', 'committed'],
  ['stale_timestamp;600', 'committed']
]

const FLOWS: Record<Kind, (order: string) => string[]> = {
  answered: () => ['POST /v1/payments'],
  committed: (order) => ['POST /v1/payments', `GET /v1/payments/order/${order}`],
  not_processed: (order) => ['POST /v1/payments', `GET /v1/payments/order/${order}`, 'POST /v1/payments']
}

t.test('the cases cover every fault of the catalogue', async (t) => {
  t.same(CASES.map(([f]) => f.split(';')[0]).sort(), Object.keys(FAULTS).sort())
})

for (const [fault, kind] of CASES) {
  t.test(`${fault} (${kind}): one payment`, async (t) => {
    const b = await bench(t)
    const rec = recordingFetch()
    const client = b.client({ fetch: rec.fetch })
    const order = `order-${fault.split(';')[0]}`
    await b.rule({ match: { method: 'POST', path: '/v1/payments', merchant_order_id: order }, fault, times: 1 })
    const payment = await client.createPayment({ merchant_order_id: order, amount: 1999, currency: 'USD', method: { type: 'card', card: CARD } })
    t.equal(payment.merchant_order_id, order)
    t.equal(payment.status, 'succeeded')
    t.same(b.payments(order).map((p) => p.id), [payment.id], 'exactly one payment at the gateway')
    t.equal(await b.creates(), kind === 'not_processed' ? 2 : 1, 'creates in the journal')
    t.same(rec.lines('/v1/payments'), FLOWS[kind](order), 'a query before any retry')
    const creates = rec.sent.filter((s) => s.method === 'POST')
    t.equal(new Set(creates.map((s) => s.headers['idempotency-key'])).size, 1, 'one Idempotency-Key for every attempt')
    t.equal(new Set(creates.map((s) => s.body)).size, 1, 'the same bytes (the card encrypted once)')
    t.equal(new Set(creates.map((s) => s.headers['paylab-nonce'])).size, creates.length, 'a fresh nonce per attempt')
  })
}

t.test('delay longer than the client waits: timeout, query finds nothing, retry; the late original adds no payment', async (t) => {
  const b = await bench(t)
  const rec = recordingFetch()
  // 1 s, not less: the query and the retry must each be answered within it on a loaded machine.
  const client = b.client({ fetch: rec.fetch, timeoutMs: 1000 })
  await b.rule({ match: { method: 'POST', path: '/v1/payments' }, fault: 'delay;1500', times: 1 })
  const payment = await client.createPayment({ merchant_order_id: 'order-late', amount: 1999, currency: 'USD', method: { type: 'card', card: CARD } })
  t.equal(payment.status, 'succeeded')
  // The delayed original has no answer to wait for (its client gave up and closed the connection),
  // so wait well past its 1.5 s: the client returned at >= 1 s, and the gateway runs the create
  // as soon as the delay ends.
  await new Promise((resolve) => setTimeout(resolve, 2000))
  t.same(b.payments('order-late').map((p) => p.id), [payment.id], 'still one payment once the delayed create ran')
  t.equal(await b.creates(), 2)
  t.same(rec.lines('/v1/payments'), ['POST /v1/payments', 'GET /v1/payments/order/order-late', 'POST /v1/payments'])
})

t.test('Retry-After is honoured even when the backoff is shorter', async (t) => {
  const b = await bench(t)
  const rec = recordingFetch()
  const client = b.client({ fetch: rec.fetch })
  await b.rule({ match: { method: 'POST', path: '/v1/payments' }, fault: 'http_503;retry_after=1', times: 1 })
  const payment = await client.createPayment({ merchant_order_id: 'order-ra', amount: 1999, currency: 'USD', method: { type: 'card', card: CARD } })
  t.equal(payment.status, 'succeeded')
  const [first, second] = rec.sent.filter((s) => s.method === 'POST')
  t.ok((second?.at ?? 0) - (first?.at ?? 0) >= 950, `waited ${Math.round((second?.at ?? 0) - (first?.at ?? 0))} ms`)
})

t.test('retries run out: the 5xx is thrown, no payment exists, no decline is invented', async (t) => {
  const b = await bench(t)
  const rec = recordingFetch()
  const client = b.client({ fetch: rec.fetch, retry: { maxAttempts: 3, baseDelayMs: 5 } })
  await b.rule({ match: { method: 'POST', path: '/v1/payments' }, fault: 'http_502' })
  const err = await client.createPayment({ merchant_order_id: 'order-down', amount: 1999, currency: 'USD', method: { type: 'card', card: CARD } }).catch((e) => e)
  t.equal(err.name, 'PaylabApiError')
  t.equal(err.statusCode, 502)
  t.equal(err.code, 'PAYLAB_SIMULATED_FAULT')
  t.equal(rec.sent.filter((s) => s.method === 'POST').length, 3, 'maxAttempts creates')
  t.equal(rec.sent.filter((s) => s.path === '/v1/payments/order/order-down').length, 3, 'a query after each')
  t.equal(b.payments('order-down').length, 0)
})

t.test('a verified refusal is not retried; a decline is a payment, not an error', async (t) => {
  const b = await bench(t)
  const rec = recordingFetch()
  const client = b.client({ fetch: rec.fetch })
  const err = await client.createPayment({ merchant_order_id: 'order-bad', amount: 1999, currency: 'USD', method: { type: 'card', card: { ...CARD, number: '4242424242424241' } } }).catch((e) => e)
  t.equal(err.name, 'PaylabApiError')
  t.equal(err.code, 'PAYLAB_CARD_NUMBER_INVALID')
  t.equal(err.details.decline_code, 'incorrect_number')
  t.same(rec.lines('/v1/payments'), ['POST /v1/payments'], 'no query, no retry')
  const declined = await client.createPayment({ merchant_order_id: 'order-declined', amount: 1999, currency: 'USD', method: { type: 'card', card: { ...CARD, number: '4000000000000002' } } })
  t.equal(declined.status, 'failed')
  t.equal(declined.failure?.code, 'card_declined')
})

t.test('a gateway answering 503 to everything: maxAttempts creates and as many queries, no more', async (t) => {
  const b = await bench(t)
  const rec = recordingFetch()
  const client = b.client({ fetch: rec.fetch, retry: { maxAttempts: 4, baseDelayMs: 5 } })
  await client.refreshKeys()
  await b.rule({ match: { path: '/v1/payments*' }, fault: 'http_503;retry_after=0' })
  const err = await client.createPayment({ merchant_order_id: 'order-storm', amount: 1999, currency: 'USD', method: { type: 'card', card: CARD } }).catch((e) => e)
  t.equal(err.statusCode, 503)
  t.equal(rec.lines('/v1/payments').length, 8, 'each create followed by one query, not by a retried series of them')
})
