import t from 'tap'
import { sharedGateway, orderId, PAYLAB_ONLY } from '../helpers/build.js'
import { answerVerifies } from '../helpers/signer.js'

// One gateway for the file; each test is a merchant of its own on it (helpers/build.ts).
const gateway = sharedGateway(PAYLAB_ONLY)

t.test('a 4242 card payment succeeds and the answer is signed', async (t) => {
  const gw = await gateway(t)
  const body = gw.cardPayment('4242424242424242')
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', body })
  t.equal(res.statusCode, 201, res.body)
  const payment = res.json()
  t.equal(payment.status, 'succeeded')
  t.equal(payment.amount_captured, 1999)
  t.same(payment.method.card.last4, '4242')
  t.ok(answerVerifies(res.headers, res.body, { secret: gw.demo.secret }))
  t.notMatch(res.body, /4242424242424242/)
})

t.test('4000 0000 0000 0002 is declined with card_declined', async (t) => {
  const gw = await gateway(t)
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4000000000000002') })
  t.equal(res.statusCode, 201)
  t.equal(res.json().status, 'failed')
  t.equal(res.json().failure.code, 'card_declined')
})

t.test('query by id and by merchant_order_id', async (t) => {
  const gw = await gateway(t)
  const body = gw.cardPayment('4242424242424242', { merchant_order_id: orderId() })
  const created = (await gw.signed({ method: 'POST', path: '/v1/payments', body })).json()
  const byId = await gw.signed({ method: 'GET', path: `/v1/payments/${created.id}` })
  t.equal(byId.statusCode, 200, byId.body)
  t.equal(byId.json().id, created.id)
  const byOrder = await gw.signed({ method: 'GET', path: `/v1/payments/order/${body.merchant_order_id as string}` })
  t.equal(byOrder.json().id, created.id)
})
