// The payment state machine as a merchant drives it: manual capture (full and partial) and
// cancel, including the actions each final status refuses.
import t from 'tap'
import { PAYLAB_ONLY, sharedGateway, orderId, type TestGateway } from '../helpers/build.js'

// One gateway for the file; each test is a merchant of its own on it (helpers/build.ts).
const gateway = sharedGateway(PAYLAB_ONLY)

const SUCCEEDS = '4242424242424242'
const DECLINED = '4000000000000002'

async function create (gw: TestGateway, body: Record<string, unknown>) {
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', body })
  if (res.statusCode !== 201) throw new Error(`create answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

const capture = (gw: TestGateway, id: string, body?: Record<string, unknown>) =>
  gw.signed({ method: 'POST', path: `/v1/payments/${id}/capture`, body })
const cancel = (gw: TestGateway, id: string) => gw.signed({ method: 'POST', path: `/v1/payments/${id}/cancel` })
const fetchPayment = async (gw: TestGateway, id: string) => (await gw.signed({ method: 'GET', path: `/v1/payments/${id}` })).json()

t.test('capture: "manual" stops at authorized with nothing captured', async (t) => {
  const gw = await gateway(t)
  const payment = await create(gw, gw.cardPayment(SUCCEEDS, { capture: 'manual', amount: 5000 }))
  t.equal(payment.status, 'authorized')
  t.equal(payment.capture, 'manual')
  t.equal(payment.amount_captured, 0)
  t.equal((await fetchPayment(gw, payment.id)).status, 'authorized', 'the stored payment agrees')
})

t.test('a full capture without an amount captures everything authorized', async (t) => {
  const gw = await gateway(t)
  const payment = await create(gw, gw.cardPayment(SUCCEEDS, { capture: 'manual', amount: 5000 }))
  const res = await capture(gw, payment.id)
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().status, 'succeeded')
  t.equal(res.json().amount_captured, 5000)
  t.equal((await fetchPayment(gw, payment.id)).amount_captured, 5000)
})

t.test('a partial capture records the captured part only', async (t) => {
  const gw = await gateway(t)
  const payment = await create(gw, gw.cardPayment(SUCCEEDS, { capture: 'manual', amount: 5000 }))
  const res = await capture(gw, payment.id, { amount: 3000 })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().status, 'succeeded')
  t.equal(res.json().amount_captured, 3000)
  t.equal(res.json().amount, 5000, 'the authorized amount stays as it was')
})

t.test('capturing more than authorized is 409 PAYLAB_CAPTURE_AMOUNT_EXCEEDED and changes nothing', async (t) => {
  const gw = await gateway(t)
  const payment = await create(gw, gw.cardPayment(SUCCEEDS, { capture: 'manual', amount: 5000 }))
  const res = await capture(gw, payment.id, { amount: 5001 })
  t.equal(res.statusCode, 409, res.body)
  t.equal(res.json().error.code, 'PAYLAB_CAPTURE_AMOUNT_EXCEEDED')
  t.equal(res.json().error.field, 'amount')
  const after = await fetchPayment(gw, payment.id)
  t.equal(after.status, 'authorized')
  t.equal(after.amount_captured, 0)
})

t.test('a succeeded or failed payment cannot be captured', async (t) => {
  const gw = await gateway(t)
  const automatic = await create(gw, gw.cardPayment(SUCCEEDS))
  const manual = await create(gw, gw.cardPayment(SUCCEEDS, { capture: 'manual' }))
  t.equal((await capture(gw, manual.id)).statusCode, 200)
  const failed = await create(gw, gw.cardPayment(DECLINED, { capture: 'manual' }))
  t.equal(failed.status, 'failed')
  const cases = [['automatic', automatic.id, 'succeeded'], ['captured', manual.id, 'succeeded'], ['declined', failed.id, 'failed']]
  for (const [name, id, status] of cases) {
    const res = await capture(gw, id as string)
    t.equal(res.statusCode, 409, `${name}: ${res.body}`)
    t.equal(res.json().error.code, 'PAYLAB_INVALID_STATE_TRANSITION', name)
    t.equal(res.json().error.status, status, `${name}: the error names the status`)
  }
})

t.test('the capture body is optional, but checked when sent', async (t) => {
  const gw = await gateway(t)
  const payment = await create(gw, gw.cardPayment(SUCCEEDS, { capture: 'manual', amount: 5000 }))
  for (const body of [{ amount: '3000' }, { amount: 0 }, { amount: 3000, extra: true }]) {
    const res = await capture(gw, payment.id, body)
    t.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`)
    t.equal(res.json().error.code, 'PAYLAB_VALIDATION_FAILED')
  }
  t.equal((await fetchPayment(gw, payment.id)).status, 'authorized')
})

t.test('capture of an unknown payment is 404', async (t) => {
  const gw = await gateway(t)
  const res = await capture(gw, 'pay_doesnotexist0000000')
  t.equal(res.statusCode, 404)
  t.equal(res.json().error.code, 'PAYLAB_PAYMENT_NOT_FOUND')
})

t.test('cancel releases an authorization', async (t) => {
  const gw = await gateway(t)
  const payment = await create(gw, gw.cardPayment(SUCCEEDS, { capture: 'manual' }))
  const res = await cancel(gw, payment.id)
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().status, 'canceled')
  t.equal(res.json().cancellation_reason, 'requested_by_merchant')
  t.equal(res.json().amount_captured, 0)
  const again = await capture(gw, payment.id)
  t.equal(again.statusCode, 409, 'a canceled authorization cannot be captured any more')
  t.equal(again.json().error.code, 'PAYLAB_INVALID_STATE_TRANSITION')
})

t.test('cancel of a succeeded payment says to refund it', async (t) => {
  const gw = await gateway(t)
  const payment = await create(gw, gw.cardPayment(SUCCEEDS))
  const res = await cancel(gw, payment.id)
  t.equal(res.statusCode, 409, res.body)
  t.equal(res.json().error.code, 'PAYLAB_PAYMENT_ALREADY_SUCCEEDED')
  t.match(res.json().error.message, /refund/i)
  t.equal((await fetchPayment(gw, payment.id)).status, 'succeeded')
})

t.test('cancel of a failed or canceled payment is PAYLAB_INVALID_STATE_TRANSITION', async (t) => {
  const gw = await gateway(t)
  const failed = await create(gw, gw.cardPayment(DECLINED))
  const res = await cancel(gw, failed.id)
  t.equal(res.statusCode, 409, res.body)
  t.equal(res.json().error.code, 'PAYLAB_INVALID_STATE_TRANSITION')
  t.equal((await fetchPayment(gw, failed.id)).status, 'failed')

  const manual = await create(gw, gw.cardPayment(SUCCEEDS, { capture: 'manual' }))
  t.equal((await cancel(gw, manual.id)).statusCode, 200)
  const twice = await cancel(gw, manual.id)
  t.equal(twice.statusCode, 409)
  t.equal(twice.json().error.code, 'PAYLAB_INVALID_STATE_TRANSITION')
})

t.test('a wallet payment waits for the buyer and can be canceled', async (t) => {
  const gw = await gateway(t)
  const before = Date.now()
  const payment = await create(gw, {
    merchant_order_id: orderId(), amount: 5000, currency: 'CNY', method: { type: 'wallet', wallet: { provider: 'alipay' } }
  })
  t.equal(payment.status, 'requires_action')
  t.equal(payment.method.wallet.provider, 'alipay')
  t.equal(payment.next_action.type, 'redirect')
  t.ok(URL.canParse(payment.next_action.url), `next_action.url is a URL: ${payment.next_action.url}`)
  t.match(payment.next_action.url, payment.id, 'the redirect names the payment')
  t.ok(Date.parse(payment.expires_at) > before, 'expires_at lies in the future')

  const res = await cancel(gw, payment.id)
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().status, 'canceled')
  t.equal(res.json().next_action, null, 'a canceled payment has nothing left for the buyer to do')
  t.equal((await fetchPayment(gw, payment.id)).status, 'canceled')
})

t.test('a 3-D Secure test card also waits for the buyer, then can be canceled', async (t) => {
  const gw = await gateway(t)
  const payment = await create(gw, gw.cardPayment('4000002760003184'))
  t.equal(payment.status, 'requires_action')
  t.equal(payment.next_action.type, 'redirect')
  t.equal((await capture(gw, payment.id)).json().error.code, 'PAYLAB_INVALID_STATE_TRANSITION', 'nothing to capture yet')
  const res = await cancel(gw, payment.id)
  t.equal(res.json().status, 'canceled', res.body)
})
