// Every broken answer is refused by the low-level client.request with PaylabSignatureError, its
// body never handed back: unsigned, tampered, stale, signed by an unknown key, signed with the
// wrong secret, or a wrong signature. Broken by the gateway's own faults where it has one, by a
// fetch that rewrites the real answer where it has not.
import t, { type Test } from 'tap'
import { createHmac } from 'node:crypto'
import { PaylabApiError, PaylabSignatureError, type Payment } from '../../merchant/sdk/index.js'
import { sharedGatewayBench, type GatewayBench } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'
import { recordingFetch, type Rewrite } from '../helpers/recording-fetch.js'

// One gateway for the file: each test's bench has a merchant, rules and journal of its own on it.
const bench = sharedGatewayBench(PAYLAB_ONLY)

const wallet = (order: string) => ({ merchant_order_id: order, amount: 1999, currency: 'USD', method: { type: 'wallet' as const, wallet: { provider: 'alipay' } } })

async function withPayment (t: Test): Promise<{ b: GatewayBench, payment: Payment, path: string }> {
  const b = await bench(t)
  const payment = await b.client().createPayment(wallet('order-sig'))
  return { b, payment, path: `/v1/payments/${payment.id}` }
}

/** Asserts that request() rejects with a signature error, and returns nothing. */
async function refused (t: Test, attempt: Promise<unknown>, why: RegExp): Promise<void> {
  let returned: unknown
  const err = await attempt.then((value) => { returned = value }, (e: unknown) => e)
  t.equal(returned, undefined, 'no body handed back')
  t.type(err, PaylabSignatureError)
  t.match((err as Error).message, why)
}

const reSign = (secret: string): Rewrite => (answer) => {
  const h = answer.headers
  const data = Buffer.concat([Buffer.from(`${h.get('paylab-timestamp')}\n${h.get('paylab-nonce')}\n`), answer.body, Buffer.from('\n')])
  h.set('paylab-signature', createHmac('sha256', secret).update(data).digest('base64'))
  return answer
}

t.test('a correct answer verifies and its body comes back', async (t) => {
  const { b, payment, path } = await withPayment(t)
  const got = await b.client().request<Payment>('GET', path)
  t.equal(got.id, payment.id)
  t.equal(got.status, 'requires_action')
})

t.test('unsigned: the signing headers removed', async (t) => {
  const { b, path } = await withPayment(t)
  const rec = recordingFetch((answer) => {
    for (const name of ['paylab-signature', 'paylab-signature-type', 'paylab-timestamp', 'paylab-nonce']) answer.headers.delete(name)
    return answer
  })
  await refused(t, b.client({ fetch: rec.fetch }).request('GET', path), /not signed/)
})

t.test('unsigned refusals are not trusted either: no PaylabApiError from an unsigned 4xx', async (t) => {
  const { b, path } = await withPayment(t)
  const rec = recordingFetch((answer) => {
    answer.headers.delete('paylab-signature')
    return { status: 404, headers: answer.headers, body: Buffer.from('{"error":{"code":"PAYLAB_PAYMENT_NOT_FOUND","message":"forged"}}') }
  })
  const err = await b.client({ fetch: rec.fetch }).request('GET', path).catch((e) => e)
  t.notOk(err instanceof PaylabApiError)
  t.type(err, PaylabSignatureError)
})

t.test('tampered: one byte of the body changed', async (t) => {
  const { b, path } = await withPayment(t)
  const rec = recordingFetch((answer) => ({ ...answer, body: Buffer.from(answer.body.toString('utf8').replace('requires_action', 'succeeded')) }))
  await refused(t, b.client({ fetch: rec.fetch }).request('GET', path), /HMAC-SHA256 signature does not match/)
})

t.test('wrong secret: the answer signed right, but with another secret', async (t) => {
  const { b, path } = await withPayment(t)
  const rec = recordingFetch(reSign(`${b.merchant.secret}x`))
  await refused(t, b.client({ fetch: rec.fetch }).request('GET', path), /does not match/)
  // The same rewrite with the right secret passes: the refusal is the secret's, not the rewrite's.
  const ok = recordingFetch(reSign(b.merchant.secret))
  t.equal((await b.client({ fetch: ok.fetch }).request<Payment>('GET', path)).object, 'payment')
})

t.test('a client with the wrong secret cannot read the gateway\'s refusal of it', async (t) => {
  const { b, path } = await withPayment(t)
  const err = await b.client({ secret: 'not-the-secret' }).request('GET', path).catch((e) => e)
  t.type(err, PaylabSignatureError, 'the 401 is signed with the real secret: not trusted')
})

for (const [fault, why] of [
  ['bad_signature', /HMAC-SHA256 signature does not match/],
  ['stale_timestamp;600', /more than 300 s/],
  ['unknown_key', /key_unknown0000, which is not a known gateway key/]
] as const) {
  t.test(`gateway fault ${fault}: refused; the calling method retries with a fresh request`, async (t) => {
    const { b, payment, path } = await withPayment(t)
    await b.rule({ match: { method: 'GET', path }, fault, times: 1 })
    await refused(t, b.client().request('GET', path), why)
    await b.rule({ match: { method: 'GET', path }, fault, times: 1 })
    const rec = recordingFetch()
    const got = await b.client({ fetch: rec.fetch }).getPayment(payment.id)
    t.equal(got.id, payment.id)
    t.equal(rec.lines(path).length, 2, 'one refused answer, one verified')
  })
}

t.test('the tolerance is the client\'s own: a skewed clock refuses fresh answers', async (t) => {
  const { b, path } = await withPayment(t)
  await refused(t, b.client({ now: () => Date.now() + 200_000, toleranceSec: 100 }).request('GET', path), /more than 100 s/)
  t.equal((await b.client({ now: () => Date.now() + 200_000, toleranceSec: 500 }).request<Payment>('GET', path)).object, 'payment')
})
