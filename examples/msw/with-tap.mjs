// paylab inside a tap test: msw answers the channel's API in-process.
import t from 'tap'
import { setupServer } from 'msw/node'
import { createPaylabMsw } from 'paylab/msw'
import { PaylabClient } from 'paylab/sdk'

const { handlers, control } = await createPaylabMsw({ baseUrl: 'https://paylab.test' })
const server = setupServer(...handlers)
server.listen({ onUnhandledRequest: 'error' })
t.teardown(async () => { server.close(); await control.close() })
t.afterEach(() => control.reset())

const demo = control.merchant()
const client = new PaylabClient({
  baseUrl: 'https://paylab.test',
  merchantId: demo.id,
  secret: demo.secret,
  retry: { baseDelayMs: 10 }
})
const card = { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' }

t.test('the answer is lost, yet the order is paid exactly once', async (t) => {
  control.addRule({ merchant_id: demo.id, match: { method: 'POST', path: '/v1/payments' }, fault: 'response_lost', times: 1 })
  const payment = await client.createPayment({ merchant_order_id: 'order-1', amount: 1999, currency: 'USD', method: { type: 'card', card } })
  t.equal(payment.status, 'succeeded')
  t.equal(control.payments().length, 1)
  t.equal(control.count({ method: 'POST', path: '/v1/payments' }), 1)
})

t.test('a notification is signed and captured', async (t) => {
  await client.createPayment({ merchant_order_id: 'order-2', amount: 500, currency: 'EUR', method: { type: 'card', card }, notify_url: 'https://shop.test/notify' })
  await control.advance('1s')
  t.equal(control.notifications[0]?.event.type, 'payment.succeeded')
})
