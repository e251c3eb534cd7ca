// Each transport fault asked for with `Paylab-Scenario`, seen from a real client on a real socket:
// what arrives (or does not), and — the part a merchant must get right — whether the payment
// was committed. Hold times are kept small through the fault parameters.
import t, { type Test } from 'tap'
import { FAULTS } from '../../gateway/engine/faults.js'
import { answerVerifies } from '../helpers/signer.js'
import { sharedLive, type Exchange, type LiveGateway } from '../helpers/live.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

// One listening gateway for the file: faults are asked for per request (Paylab-Scenario) and
// each test is a merchant of its own, whose orders are the ones it queries.
const gateway = sharedLive(PAYLAB_ONLY)

const CARD = '4242424242424242'

/** A create with a fault; returns what the socket did and the order id to look for. */
async function faulted (gw: LiveGateway, scenario: string, timeoutMs = 5000): Promise<{ out: Exchange, order: string }> {
  const body = gw.cardPayment(CARD)
  const out = await gw.call({ method: 'POST', path: '/v1/payments', body, headers: { 'paylab-scenario': scenario }, timeoutMs })
  return { out, order: body.merchant_order_id as string }
}

/** Whether the gateway holds a payment for this order, asked over HTTP as a merchant would. */
async function committed (gw: LiveGateway, order: string): Promise<any> {
  const res = await gw.answer({ method: 'GET', path: `/v1/payments/order/${order}` })
  return res.status === 200 ? res.json() : null
}

const verifies = (gw: LiveGateway, out: Exchange): boolean =>
  out.ok && answerVerifies(out.headers, out.body, { secret: gw.demo.secret })

function noAnswer (t: Test, out: Exchange, what: string): NodeJS.ErrnoException | undefined {
  if (out.ok) { t.fail(`${what}: an answer came (${out.status})`); return undefined }
  return out.error
}

t.test('every fault of the table is exercised here', async (t) => {
  const here = ['delay', 'slow_body', 'timeout_not_processed', 'response_lost', 'connection_reset', 'empty_response', 'http_500',
    'http_502', 'http_503', 'http_429', 'malformed_body', 'bad_signature', 'unknown_key', 'stale_timestamp']
  t.same(Object.keys(FAULTS).sort(), here.sort())
})

t.test('delay: the normal answer, N ms late; the payment is made even if the client gave up', async (t) => {
  const gw = await gateway(t)
  const { out, order } = await faulted(gw, 'delay;150')
  t.ok(out.ok && out.status === 201, 'answered 201')
  t.ok(out.ms >= 140, `after the delay (${Math.round(out.ms)} ms)`)
  t.ok(verifies(gw, out), 'signed as usual')
  t.equal((await committed(gw, order))?.status, 'succeeded')
  const impatient = await faulted(gw, 'delay;250', 60)
  t.equal(noAnswer(t, impatient.out, 'impatient')?.code, 'CLIENT_TIMEOUT')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal((await committed(gw, impatient.order))?.status, 'succeeded', 'processed after the client left: query before retrying')
})

t.test('slow_body: headers at once, the body dribbled in 8 parts N ms apart, complete and signed', async (t) => {
  const gw = await gateway(t)
  const { out, order } = await faulted(gw, 'slow_body;40')
  if (!out.ok) return t.fail('no answer')
  t.equal(out.status, 201)
  t.ok(out.ms - out.firstByteMs >= 7 * 40 * 0.8, `spread over ${Math.round(out.ms - out.firstByteMs)} ms`)
  t.ok(out.chunks >= 2, `in parts (${out.chunks}; the client may read several at once)`)
  t.equal(Number(out.headers['content-length']), out.body.length, 'Content-Length tells the whole length up front')
  t.equal(out.json().merchant_order_id, order)
  t.ok(verifies(gw, out))
})

t.test('timeout_not_processed: no answer until N ms, then a close; nothing is committed', async (t) => {
  const gw = await gateway(t)
  const { out, order } = await faulted(gw, 'timeout_not_processed;300')
  const error = noAnswer(t, out, 'timeout')
  t.ok(out.ms >= 280, `held ${Math.round(out.ms)} ms`)
  t.equal(error?.message, 'socket hang up', 'closed without a byte')
  t.equal(await committed(gw, order), null)
  const gaveUp = await faulted(gw, 'timeout_not_processed;60000', 100)
  t.equal(noAnswer(t, gaveUp.out, 'client timeout')?.code, 'CLIENT_TIMEOUT', 'the client gives up first')
  t.equal(await committed(gw, gaveUp.order), null)
  const retry = await gw.create({ ...gw.cardPayment(CARD), merchant_order_id: gaveUp.order })
  t.equal(retry.status, 'succeeded', 'a retry with the same order id creates it once')
})

t.test('response_lost: committed, then the socket dies; a query finds exactly one payment', async (t) => {
  const gw = await gateway(t)
  const body = gw.cardPayment(CARD)
  const out = await gw.call({ method: 'POST', path: '/v1/payments', body, headers: { 'paylab-scenario': 'response_lost;150' } })
  const error = noAnswer(t, out, 'response_lost')
  t.equal(error?.code, 'ECONNRESET')
  t.ok(out.ms >= 140, `held ${Math.round(out.ms)} ms before dying`)
  const found = await committed(gw, body.merchant_order_id as string)
  t.equal(found?.status, 'succeeded', 'the payment succeeded')
  const retried = await gw.answer({ method: 'POST', path: '/v1/payments', body })
  t.equal(retried.status, 200, 'the same create again is answered with the existing payment')
  t.equal(retried.json().id, found.id)
  const list = (await gw.answer({ method: 'GET', path: '/v1/payments?limit=100' })).json()
  t.equal(list.data.filter((p: any) => p.merchant_order_id === body.merchant_order_id).length, 1, 'exactly one exists')
})

t.test('connection_reset: a real TCP reset (read ECONNRESET); nothing is committed', async (t) => {
  const gw = await gateway(t)
  const { out, order } = await faulted(gw, 'connection_reset')
  const error = noAnswer(t, out, 'reset')
  t.equal(error?.code, 'ECONNRESET')
  t.equal(error?.syscall, 'read', 'reported by the kernel, not a clean close')
  t.equal(await committed(gw, order), null)
})

t.test('empty_response: the connection closes without a byte; nothing is committed', async (t) => {
  const gw = await gateway(t)
  const { out, order } = await faulted(gw, 'empty_response')
  const error = noAnswer(t, out, 'empty')
  t.equal(error?.message, 'socket hang up')
  t.equal(error?.syscall, undefined, 'a clean close, not a reset')
  t.equal(await committed(gw, order), null)
})

t.test('http_500/502/503/429: signed error answers, Retry-After on 503 and 429; nothing is committed', async (t) => {
  const gw = await gateway(t)
  const cases: Array<[string, number, string | undefined]> = [
    ['http_500', 500, undefined], ['http_502', 502, undefined], ['http_503', 503, '1'], ['http_503;retry_after=7', 503, '7'],
    ['http_429', 429, '1'], ['http_429;3', 429, '3']
  ]
  for (const [scenario, status, retryAfter] of cases) {
    const { out, order } = await faulted(gw, scenario)
    if (!out.ok) { t.fail(`${scenario}: no answer`); continue }
    t.equal(out.status, status, scenario)
    t.equal(out.headers['retry-after'], retryAfter, `${scenario}: Retry-After`)
    t.equal(out.json().error.code, 'PAYLAB_SIMULATED_FAULT', scenario)
    t.ok(verifies(gw, out), `${scenario}: signed`)
    t.equal(await committed(gw, order), null, `${scenario}: nothing committed`)
  }
})

t.test('malformed_body: committed, answered with half the JSON, signed over what was sent', async (t) => {
  const gw = await gateway(t)
  const { out, order } = await faulted(gw, 'malformed_body')
  if (!out.ok) return t.fail('no answer')
  t.equal(out.status, 201)
  t.throws(() => JSON.parse(out.text), SyntaxError, 'the body does not parse')
  t.ok(verifies(gw, out), 'yet the signature is right for these bytes')
  const found = await committed(gw, order)
  t.ok(out.text.length > 0 && JSON.stringify(found).startsWith(out.text), 'the first half of the real answer')
})

t.test('bad_signature, unknown_key, stale_timestamp: committed, a valid body with an answer signature to refuse', async (t) => {
  const gw = await gateway(t)
  const bad = await faulted(gw, 'bad_signature')
  t.ok(bad.out.ok && bad.out.json().merchant_order_id === bad.order, 'bad_signature: the body is the real answer')
  t.notOk(verifies(gw, bad.out), 'bad_signature: the signature does not verify')
  t.ok(await committed(gw, bad.order))

  const unknown = await faulted(gw, 'unknown_key')
  const signedBy = unknown.out
  if (!signedBy.ok) return t.fail('unknown_key: no answer')
  t.equal(signedBy.headers['paylab-signature-type'], 'RSA-SHA256')
  t.ok(signedBy.headers['paylab-key-id'], 'a key id is given')
  const keys = (await gw.answer({ method: 'GET', path: '/v1/keys' })).json().data as Array<{ id: string, public_key: string }>
  t.notOk(keys.some((k) => k.id === signedBy.headers['paylab-key-id']), 'the key id is none the gateway lists')
  t.notOk(keys.some((k) => answerVerifies(signedBy.headers, signedBy.body, { publicKeyPem: k.public_key })), 'no listed key verifies it')
  t.ok(await committed(gw, unknown.order))

  const stale = await faulted(gw, 'stale_timestamp;100')
  if (!stale.out.ok) return t.fail('stale_timestamp: no answer')
  const age = Math.floor(gw.engine.clock.now() / 1000) - Number(stale.out.headers['paylab-timestamp'])
  t.ok(age >= 100 && age <= 102, `the timestamp is ${age} s old`)
  t.ok(verifies(gw, stale.out), 'correctly signed, only too old')
  t.ok(await committed(gw, stale.order))
})

t.test('faults apply to queries too, and a bad Paylab-Scenario is a 400 that commits nothing', async (t) => {
  const gw = await gateway(t)
  const p = await gw.create(gw.cardPayment(CARD))
  const query = await gw.call({ method: 'GET', path: `/v1/payments/${p.id}`, headers: { 'paylab-scenario': 'http_503;2' } })
  t.ok(query.ok && query.status === 503 && query.headers['retry-after'] === '2', 'a query answered 503')
  const { out, order } = await faulted(gw, 'teapot')
  t.ok(out.ok && out.status === 400 && out.json().error.field === 'Paylab-Scenario', 'unknown fault: 400 naming the header')
  t.equal(await committed(gw, order), null)
})
