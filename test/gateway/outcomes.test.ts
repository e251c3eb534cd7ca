// The test cards over a real socket: each ends as the failure catalogue says, including those
// that wait for the buyer (3-D Secure on the hosted page) or for the clock (processing).
import t from 'tap'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { DECLINE_MESSAGES, TEST_CARDS } from '../../gateway/engine/outcomes.js'
import { live, sharedLive } from '../helpers/live.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

// One listening gateway for the file; each test is a merchant of its own on it (helpers/live.ts).
const gateway = sharedLive(PAYLAB_ONLY)

// The list: what integrators expect of these numbers.
const SUCCEEDS = ['4242424242424242', '5555555555554444', '378282246310005']
const DECLINES: Record<string, keyof typeof DECLINE_MESSAGES> = {
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
  '4000000000009987': 'lost_card',
  '4000000000009979': 'stolen_card',
  '4000000000000069': 'expired_card',
  '4000000000000127': 'incorrect_cvc',
  '4000000000000119': 'processing_error'
}
const CHALLENGE_THEN_SUCCEEDS = '4000002760003184'
const CHALLENGE_THEN_DECLINES = '4000008260003178'
const PROCESSING_THEN_SUCCEEDS = '4000000000003055'
const PROCESSING_THEN_FAILS = '4000000000003063'

t.test('every test card in the engine is one this suite exercises', async (t) => {
  const exercised = [...SUCCEEDS, ...Object.keys(DECLINES), CHALLENGE_THEN_SUCCEEDS, CHALLENGE_THEN_DECLINES, PROCESSING_THEN_SUCCEEDS, PROCESSING_THEN_FAILS]
  t.same(Object.keys(TEST_CARDS).sort(), exercised.sort())
})

t.test('success cards succeed, and an unlisted valid card does too', async (t) => {
  const gw = await gateway(t)
  for (const number of [...SUCCEEDS, '4111111111111111']) {
    const p = await gw.create(gw.cardPayment(number))
    t.equal(p.status, 'succeeded', number.slice(-4))
    t.equal(p.amount_captured, p.amount, `${number.slice(-4)}: captured in full`)
    t.equal(p.failure, null)
  }
})

t.test('decline cards fail with their code and message, and the stored payment agrees', async (t) => {
  const gw = await gateway(t)
  for (const [number, code] of Object.entries(DECLINES)) {
    const res = await gw.answer({ method: 'POST', path: '/v1/payments', body: gw.cardPayment(number) })
    t.equal(res.status, 201, `${code}: a declined payment is still created`)
    t.equal(res.json().status, 'failed', code)
    t.same(res.json().failure, { code, message: DECLINE_MESSAGES[code] }, code)
    t.equal(res.json().amount_captured, 0, `${code}: nothing captured`)
    t.same((await gw.payment(res.json().id)).failure, res.json().failure, `${code}: stored`)
  }
})

t.test('a number that fails the Luhn check is a 400 incorrect_number and creates nothing', async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  const res = await gw.answer({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424241') })
  t.equal(res.status, 400, res.text)
  t.equal(res.json().error.code, 'PAYLAB_CARD_NUMBER_INVALID')
  t.equal(res.json().error.decline_code, 'incorrect_number')
  t.notMatch(res.text, '4242424242424241', 'the number is not echoed')
  t.equal(gw.engine.storedCounts().payments, 0)
})

t.test('3-D Secure: the challenge card waits for the buyer; 123456 passes, another code fails', async (t) => {
  const gw = await gateway(t)
  const passed = await gw.create(gw.cardPayment(CHALLENGE_THEN_SUCCEEDS))
  t.equal(passed.status, 'requires_action')
  t.same(passed.next_action, { type: 'redirect', url: `${gw.engine.config.publicUrl}/cashier/${passed.id}` })
  t.ok(passed.expires_at, 'a waiting payment says when it expires')
  t.equal((await gw.cashier(passed.id, { code: '123456' })).status, 200)
  t.match(await gw.payment(passed.id), { status: 'succeeded', next_action: null, failure: null })

  const failed = await gw.create(gw.cardPayment(CHALLENGE_THEN_SUCCEEDS))
  await gw.cashier(failed.id, { code: '654321' })
  t.match(await gw.payment(failed.id), { status: 'failed', failure: { code: 'authentication_failed', message: DECLINE_MESSAGES.authentication_failed } })
})

t.test('3-D Secure with manual capture passes to authorized', async (t) => {
  const gw = await gateway(t)
  const p = await gw.create(gw.cardPayment(CHALLENGE_THEN_SUCCEEDS, { capture: 'manual' }))
  await gw.cashier(p.id, { code: '123456' })
  t.match(await gw.payment(p.id), { status: 'authorized', amount_captured: 0 })
})

t.test('the second 3-D Secure card passes the challenge, then is declined insufficient_funds', async (t) => {
  const gw = await gateway(t)
  const p = await gw.create(gw.cardPayment(CHALLENGE_THEN_DECLINES))
  t.equal(p.status, 'requires_action')
  await gw.cashier(p.id, { code: '123456' })
  t.match(await gw.payment(p.id), { status: 'failed', failure: { code: 'insufficient_funds' } })
  const refused = await gw.create(gw.cardPayment(CHALLENGE_THEN_DECLINES))
  await gw.cashier(refused.id, { code: '000000' })
  t.match(await gw.payment(refused.id), { status: 'failed', failure: { code: 'authentication_failed' } }, 'a failed challenge fails first')
})

t.test('processing cards resolve on the clock after processingDelaySec (default 30 s)', async (t) => {
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock() })
  t.equal(gw.engine.config.processingDelaySec, 30)
  const ok = await gw.create(gw.cardPayment(PROCESSING_THEN_SUCCEEDS))
  const ko = await gw.create(gw.cardPayment(PROCESSING_THEN_FAILS))
  t.same([ok.status, ko.status], ['processing', 'processing'])
  await gw.advance('29s')
  t.same([(await gw.payment(ok.id)).status, (await gw.payment(ko.id)).status], ['processing', 'processing'], 'not before their time')
  await gw.advance('1s')
  t.match(await gw.payment(ok.id), { status: 'succeeded', amount_captured: ok.amount })
  t.match(await gw.payment(ko.id), { status: 'failed', failure: { code: 'processing_error', message: DECLINE_MESSAGES.processing_error } })
})

t.test('processingDelaySec is configurable', async (t) => {
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock(), config: { processingDelaySec: 5 } })
  const p = await gw.create(gw.cardPayment(PROCESSING_THEN_SUCCEEDS))
  await gw.advance('4s')
  t.equal((await gw.payment(p.id)).status, 'processing')
  await gw.advance('1s')
  t.equal((await gw.payment(p.id)).status, 'succeeded')
})

t.test('Paylab-Scenario: outcome=… and an outcome rule override the card on a create', async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  const byHeader = await gw.create(gw.cardPayment('4242424242424242'), { 'paylab-scenario': 'outcome=decline:lost_card' })
  t.match(byHeader, { status: 'failed', failure: { code: 'lost_card' } })
  const waiting = await gw.create(gw.cardPayment('4242424242424242'), { 'paylab-scenario': 'outcome=challenge:decline:stolen_card' })
  t.equal(waiting.status, 'requires_action', 'a challenge can be asked for on any card')
  await gw.cashier(waiting.id, { code: '123456' })
  t.match(await gw.payment(waiting.id), { status: 'failed', failure: { code: 'stolen_card' } })
  const rule = await gw.admin({ method: 'POST', url: '/admin/rules', payload: { merchant_id: 'demo', outcome: 'succeed', times: 1 } })
  t.equal(rule.statusCode, 201, rule.body)
  t.equal((await gw.create(gw.cardPayment('4000000000000002'))).status, 'succeeded', 'the rule beats the decline card')
  t.equal((await gw.create(gw.cardPayment('4000000000000002'))).status, 'failed', 'and is spent after one create')
})
