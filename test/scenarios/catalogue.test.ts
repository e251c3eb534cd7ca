// The proof: the whole shipped catalogue passes against the reference shop.
import t from 'tap'
import { CATALOGUE, run } from './helpers.js'

/** Each kind of scenario the issue asks for, by a name in the catalogue. */
const REQUIRED = [
  'a card payment succeeds', 'decline: card_declined', 'decline: insufficient_funds', 'decline: lost_card', 'decline: stolen_card',
  'decline: expired_card', 'decline: incorrect_cvc', 'decline: processing_error', '3-D Secure failed', 'decline: payment_declined (wallet, by the provider)',
  'decline: expired (the provider says the buyer ran out of time)', '3-D Secure passed', 'a wallet payment approved on the hosted page',
  'manual capture', 'partial capture', 'cancel an authorization', 'an unpaid payment expires', 'partial and multiple refunds',
  'a refund over the captured amount is refused', 'idempotent replay and conflict', 'order id conflict', 'timeout, nothing processed',
  'charged, but the answer was lost', 'connection reset before processing', '5xx twice, then success on retry', '429 with Retry-After honoured',
  'a malformed answer', 'an answer with a bad signature is not trusted', 'a replayed request is rejected', 'a stale request is rejected',
  'a duplicated notification is applied once', 'out-of-order notifications do not move an order backwards', 'a notification delayed by hours',
  'a dropped notification, recovered by query', 'a notification before the synchronous answer', 'a notification with a bad signature is rejected',
  'the receiver is down, retries succeed later', 'reconciliation finds an order the shop got wrong', 'an RSA merchant', 'an HMAC merchant',
  'the /pay client of the source document'
]

t.test('every catalogue scenario passes against the reference shop', async (t) => {
  const started = Date.now()
  const out = await run({ paths: [CATALOGUE], seed: 1 })
  const failed = out.results.filter((r) => r.outcome !== 'passed')
  t.equal(out.code, 0, 'exit 0', { output: out.stdout })
  t.same(failed.map((r) => r.scenario.name), [], 'no scenario failed')
  t.ok(out.results.length >= 30, `${out.results.length} scenarios`)
  const names = new Set(out.results.map((r) => r.scenario.name))
  t.same(REQUIRED.filter((n) => !names.has(n)), [], 'the catalogue has every kind of scenario asked for')
  const wechat = out.results.filter((r) => r.scenario.tags.includes('wechatpay'))
  t.ok(wechat.length >= 8, `${wechat.length} scenarios run through the WeChat Pay v3 profile`)
  t.match(out.stdout, new RegExp(`^${out.results.length} passed, 0 failed, 0 skipped$`, 'm'))
  t.comment(`catalogue: ${out.results.length} scenarios in ${Date.now() - started} ms`)
})
