// PaylabClient's options are checked when the client is made, and its backoff between attempts:
// exponential with full jitter, capped, never sooner than Retry-After, and no waiting for a
// Retry-After longer than the client is willing to wait.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { PaylabApiError, PaylabClient, type PaylabClientOptions } from '../../merchant/sdk/index.js'
import { backoffMs, MAX_RETRY_AFTER_MS } from '../../merchant/sdk/retry.js'
import { CARD, gatewayBench } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'
import { recordingFetch } from '../helpers/recording-fetch.js'

const base: PaylabClientOptions = { baseUrl: 'http://127.0.0.1:7400', merchantId: 'shop', secret: 's3cret' }
const make = (o: Record<string, unknown>) => () => new PaylabClient({ ...base, ...o })

t.test('defaults', async (t) => {
  const { options } = new PaylabClient(base)
  t.equal(options.signatureType, 'HMAC-SHA256')
  t.same(options.retry, { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5000 })
  t.equal(options.timeoutMs, 10_000)
  t.equal(options.toleranceSec, 300)
  t.equal(new PaylabClient({ ...base, baseUrl: 'http://127.0.0.1:7400/' }).options.baseUrl, 'http://127.0.0.1:7400', 'a trailing slash is fine')
})

t.test('unknown options are refused, by name', async (t) => {
  t.throws(make({ secert: 'typo' }), { name: 'TypeError', message: /unknown option\(s\) secert/ })
  t.throws(make({ timeout: 5 }), /unknown option\(s\) timeout/)
  t.throws(make({ retry: { attempts: 2 } }), /unknown retry option\(s\) attempts/)
})

t.test('credentials: HMAC needs the secret, RSA the private key', async (t) => {
  // The README's snippet passes process.env.PAYLAB_SECRET: unset, the error names the option and the variable.
  t.throws(make({ secret: undefined }), { name: 'TypeError', message: 'PaylabClient: the secret option is missing; HMAC-SHA256 signs with the merchant\'s HMAC secret (the README reads it from the environment variable PAYLAB_SECRET: set it to the "HMAC secret" that npm start prints)' })
  t.throws(make({ secret: '' }), /the secret option is empty; .* PAYLAB_SECRET/)
  t.throws(make({ signatureType: 'RSA-SHA256' }), /RSA-SHA256 needs privateKey/)
  t.throws(make({ signatureType: 'HMAC-SHA1' }), /signatureType must be/)
  t.throws(make({ merchantId: '' }), /merchantId is required/)
  t.doesNotThrow(make({ signatureType: 'RSA-SHA256', privateKey: '-----BEGIN PRIVATE KEY-----', secret: undefined }))
})

t.test('baseUrl: an http(s) origin; a path would be dropped from what is signed, so it is refused', async (t) => {
  t.throws(make({ baseUrl: 'gateway.example' }), /absolute URL/)
  t.throws(make({ baseUrl: 'https://gateway.example/paylab' }), /without a path/)
  t.throws(make({ baseUrl: 'https://gateway.example/?x=1' }), /without a path/)
  t.throws(make({ baseUrl: 'ftp://gateway.example' }), /http\(s\) origin/)
})

t.test('numbers and keys', async (t) => {
  t.throws(make({ retry: { maxAttempts: 0 } }), /maxAttempts/)
  t.throws(make({ retry: { maxAttempts: 1.5 } }), /maxAttempts/)
  t.throws(make({ retry: { baseDelayMs: -1 } }), /baseDelayMs/)
  t.throws(make({ timeoutMs: 0 }), /timeoutMs/)
  t.throws(make({ toleranceSec: 0 }), /toleranceSec/)
  t.throws(make({ gatewayKeys: [] }), /gatewayKeys/)
  t.throws(make({ gatewayKeys: [{ id: 'k' }] }), /gatewayKeys/)
})

t.test('backoff: full jitter under an exponential ceiling, capped', async (t) => {
  const policy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000 }
  t.same([1, 2, 3, 4, 5].map((n) => backoffMs(n, policy, () => 0.999999)), [99, 199, 399, 799, 999])
  t.same([1, 2, 3].map((n) => backoffMs(n, policy, () => 0)), [0, 0, 0], 'full jitter reaches zero')
  t.equal(backoffMs(2, policy, () => 0.5), 100)
})

t.test('backoff: never sooner than Retry-After; longer than the cap means give up', async (t) => {
  const policy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000 }
  const limited = (s: number | undefined) => new PaylabApiError('slow down', 'PAYLAB_SIMULATED_FAULT', 429, 'req_1', {}, s)
  t.equal(backoffMs(1, policy, () => 0.5, limited(3)), 3000)
  t.equal(backoffMs(5, policy, () => 0.999999, limited(0)), 999)
  t.equal(backoffMs(1, policy, () => 0, limited(NaN)), 0, 'an unreadable Retry-After is ignored')
  t.equal(backoffMs(1, policy, () => 0, limited(MAX_RETRY_AFTER_MS / 1000)), MAX_RETRY_AFTER_MS)
  t.equal(backoffMs(1, policy, () => 0, limited(MAX_RETRY_AFTER_MS / 1000 + 1)), Infinity)
})

t.test('a Retry-After beyond the cap fails the call at once instead of hanging it', async (t) => {
  const b = await gatewayBench(t, { gateway: PAYLAB_ONLY })
  const rec = recordingFetch()
  await b.rule({ match: { method: 'POST', path: '/v1/payments' }, fault: 'http_503;retry_after=3600', times: 1 })
  const started = performance.now()
  const err = await b.client({ fetch: rec.fetch }).createPayment({ merchant_order_id: 'order-busy', amount: 1999, currency: 'USD', method: { type: 'card', card: CARD } }).catch((e) => e)
  t.equal(err.name, 'PaylabApiError')
  t.equal(err.retryAfter, 3600)
  t.ok(performance.now() - started < 5000, 'no hour-long wait')
  t.same(rec.lines('/v1/payments'), ['POST /v1/payments', 'GET /v1/payments/order/order-busy'], 'the query still ran; no second create')
  t.equal(b.payments('order-busy').length, 0)
})

t.test('the README says where the SDK snippet\'s PAYLAB_SECRET comes from', async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const snippet = readme.indexOf('secret: process.env.PAYLAB_SECRET')
  t.ok(snippet > 0, 'the snippet reads PAYLAB_SECRET')
  const before = readme.slice(readme.lastIndexOf('\n## ', snippet), snippet)
  t.match(before, /export PAYLAB_SECRET=sk_test_/, 'and the README sets it first, from what npm start prints')
})
