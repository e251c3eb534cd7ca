// Unknown routes, unknown or bad query parameters, invalid path ids, and bad capture and refund
// bodies: each is a 4xx with a stable code naming what is wrong, and nothing stored changes.
import t from 'tap'
import { sharedGateway, orderId, type TestGateway } from '../helpers/build.js'
import { refused, type Refusal } from '../helpers/rejections.js'

// One gateway for the file; each test is a merchant of its own on it (helpers/build.ts).
const gateway = sharedGateway()

const invalid = (field: string): Refusal => ({ status: 400, code: 'PAYLAB_VALIDATION_FAILED', field })
const noRoute: Refusal = { status: 404, code: 'PAYLAB_ROUTE_NOT_FOUND' }

async function paid (gw: TestGateway, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', extra) })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().id as string
}

t.test('unknown routes answer 404 PAYLAB_ROUTE_NOT_FOUND naming the route', async (t) => {
  const gw = await gateway(t)
  const cases: Array<[string, () => ReturnType<TestGateway['signed']>, string]> = [
    ['an unknown /v1 path', () => gw.signed({ method: 'GET', path: '/v1/nothing-here' }), 'GET /v1/nothing-here'],
    ['an unknown top-level path', () => gw.app.inject({ method: 'GET', url: '/nothing-here?x=1' }), 'GET /nothing-here'],
    ['an unknown method on a known path', () => gw.signed({ method: 'DELETE', path: '/v1/payments' }), 'DELETE /v1/payments'],
    ['an action that does not exist', () => gw.signed({ method: 'POST', path: '/v1/payments/pay_abc/explode', body: {} }), 'POST /v1/payments/pay_abc/explode'],
    ['an unknown admin path', () => gw.admin({ method: 'PUT', url: '/admin/merchants' }), 'PUT /admin/merchants']
  ]
  for (const [name, send, route] of cases) {
    await t.test(name, async (t) => {
      const error = await refused(t, gw, send, noRoute)
      t.ok(error.message.includes(route), `the message names ${route}: ${error.message}`)
    })
  }
})

t.test('query parameters', async (t) => {
  const gw = await gateway(t)
  const id = await paid(gw)
  const cases: Array<[string, () => ReturnType<TestGateway['signed']>, Refusal]> = [
    ['an unknown one on a list', () => gw.signed({ method: 'GET', path: '/v1/payments?colour=red' }), invalid('colour')],
    ['an unknown one on a query by id', () => gw.signed({ method: 'GET', path: `/v1/payments/${id}?expand=refunds` }), invalid('expand')],
    ['an unknown one on a create', () => gw.signed({ method: 'POST', path: '/v1/payments?dry_run=1', body: gw.cardPayment('4242424242424242') }), invalid('dry_run')],
    ['an unknown one on an unsigned route', () => gw.app.inject({ method: 'GET', url: '/healthz?verbose=1' }), invalid('verbose')],
    ['limit that is not a number', () => gw.signed({ method: 'GET', path: '/v1/payments?limit=ten' }), invalid('limit')],
    ['limit 0', () => gw.signed({ method: 'GET', path: '/v1/payments?limit=0' }), invalid('limit')],
    ['limit 101', () => gw.signed({ method: 'GET', path: '/v1/payments?limit=101' }), invalid('limit')],
    ['limit 2.5', () => gw.signed({ method: 'GET', path: '/v1/payments?limit=2.5' }), invalid('limit')],
    ['starting_after that is not an id', () => gw.signed({ method: 'GET', path: '/v1/payments?starting_after=not%20an%20id' }), invalid('starting_after')],
    ['starting_after that names no payment', () => gw.signed({ method: 'GET', path: '/v1/payments?starting_after=pay_Nope' }), { status: 400, code: 'PAYLAB_CURSOR_INVALID', field: 'starting_after' }]
  ]
  for (const [name, send, expected] of cases) await t.test(name, (t) => refused(t, gw, send, expected))
})

t.test('invalid path ids', async (t) => {
  const gw = await gateway(t)
  const cases: Array<[string, () => ReturnType<TestGateway['signed']>, Refusal]> = [
    ['a payment id without a prefix', () => gw.signed({ method: 'GET', path: '/v1/payments/12345' }), invalid('id')],
    ['a payment id with a NUL byte', () => gw.signed({ method: 'GET', path: '/v1/payments/pay_%00abc' }), invalid('id')],
    ['a payment id with an encoded slash', () => gw.signed({ method: 'GET', path: '/v1/payments/..%2F..%2Fadmin' }), invalid('id')],
    ['a refund id of 200 characters', () => gw.signed({ method: 'GET', path: `/v1/refunds/re_${'a'.repeat(197)}` }), invalid('id')],
    ['a path segment of 600 characters', () => gw.signed({ method: 'GET', path: `/v1/payments/pay_${'a'.repeat(596)}` }), invalid('path')],
    ['a path that is not valid percent-encoding', () => gw.signed({ method: 'GET', path: '/v1/payments/pay_%E0%A4%A' }), { status: 400, code: 'PAYLAB_BAD_REQUEST', field: 'path' }],
    ['a merchant_order_id with a space', () => gw.signed({ method: 'GET', path: '/v1/payments/order/order%201' }), invalid('merchant_order_id')],
    ['a merchant_order_id of 65 characters', () => gw.signed({ method: 'GET', path: `/v1/payments/order/${'o'.repeat(65)}` }), invalid('merchant_order_id')],
    ['capture of a bad id', () => gw.signed({ method: 'POST', path: '/v1/payments/pay!/capture', body: {} }), invalid('id')],
    ['cancel of a bad id', () => gw.signed({ method: 'POST', path: '/v1/payments/PAY_abc/cancel', body: {} }), invalid('id')],
    ['refunds of a bad id', () => gw.signed({ method: 'GET', path: '/v1/payments/pay_a-b/refunds' }), invalid('id')],
    ['an admin merchant id with a space', () => gw.admin({ method: 'GET', url: '/admin/merchants/bad%20id' }), invalid('id')],
    ['a well-formed id that names nothing', () => gw.signed({ method: 'GET', path: '/v1/payments/pay_DoesNotExist' }), { status: 404, code: 'PAYLAB_PAYMENT_NOT_FOUND' }],
    ['a well-formed refund id that names nothing', () => gw.signed({ method: 'GET', path: '/v1/refunds/re_DoesNotExist' }), { status: 404, code: 'PAYLAB_REFUND_NOT_FOUND' }]
  ]
  for (const [name, send, expected] of cases) await t.test(name, (t) => refused(t, gw, send, expected))
})

t.test('bad capture and refund bodies change nothing', async (t) => {
  const gw = await gateway(t)
  const authorized = await paid(gw, { capture: 'manual' })
  const succeeded = await paid(gw)
  const capture = (body: unknown) => () => gw.signed({ method: 'POST', path: `/v1/payments/${authorized}/capture`, body })
  const refund = (body: unknown) => () => gw.signed({ method: 'POST', path: `/v1/payments/${succeeded}/refunds`, body })
  const cases: Array<[string, () => ReturnType<TestGateway['signed']>, Refusal]> = [
    ['capture amount as a string', capture({ amount: '500' }), invalid('amount')],
    ['capture amount 0', capture({ amount: 0 }), invalid('amount')],
    ['capture with an unknown field', capture({ amount: 500, final: true }), invalid('final')],
    ['capture more than authorized', capture({ amount: 2000 }), { status: 409, code: 'PAYLAB_CAPTURE_AMOUNT_EXCEEDED', field: 'amount' }],
    ['capture with malformed JSON', () => gw.signed({ method: 'POST', path: `/v1/payments/${authorized}/capture`, body: '{"amount":' }), { status: 400, code: 'PAYLAB_MALFORMED_JSON', field: 'body' }],
    ['cancel with an unknown field', () => gw.signed({ method: 'POST', path: `/v1/payments/${authorized}/cancel`, body: { reason: 'x' } }), invalid('reason')],
    ['refund without merchant_refund_id', refund({ amount: 100 }), invalid('merchant_refund_id')],
    ['refund without a body', () => gw.signed({ method: 'POST', path: `/v1/payments/${succeeded}/refunds` }), invalid('body')],
    ['refund amount 10.5', refund({ merchant_refund_id: orderId(), amount: 10.5 }), invalid('amount')],
    ['refund amount -1', refund({ merchant_refund_id: orderId(), amount: -1 }), invalid('amount')],
    ['refund reason as a number', refund({ merchant_refund_id: orderId(), reason: 7 }), invalid('reason')],
    ['refund with an unknown field', refund({ merchant_refund_id: orderId(), currency: 'USD' }), invalid('currency')],
    ['refund of more than was paid', refund({ merchant_refund_id: orderId(), amount: 2000 }), { status: 409, code: 'PAYLAB_REFUND_AMOUNT_EXCEEDED', field: 'amount' }]
  ]
  for (const [name, send, expected] of cases) await t.test(name, (t) => refused(t, gw, send, expected))
})
