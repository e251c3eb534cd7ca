// paylab inside node's own test runner (node --test): the same handlers, another runner.
import { test, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { setupServer } from 'msw/node'
import { createPaylabMsw } from 'paylab/msw'
import { PaylabClient } from 'paylab/sdk'

const { handlers, control } = await createPaylabMsw()
const server = setupServer(...handlers)
before(() => server.listen({ onUnhandledRequest: 'error' }))
after(async () => { server.close(); await control.close() })
afterEach(() => control.reset())

const demo = control.merchant()
const client = new PaylabClient({ baseUrl: control.baseUrl, merchantId: demo.id, secret: demo.secret })

test('an unpaid wallet payment expires after 15 minutes', async () => {
  const payment = await client.createPayment({ merchant_order_id: 'order-3', amount: 800, currency: 'JPY', method: { type: 'wallet' } })
  assert.equal(payment.status, 'requires_action')
  await control.advance('16m')
  assert.equal((await client.getPayment(payment.id)).cancellation_reason, 'expired')
})

test('a declined card fails with its decline code', async () => {
  const card = { number: '4000000000000002', exp_month: 12, exp_year: 2030, cvc: '123' }
  const payment = await client.createPayment({ merchant_order_id: 'order-4', amount: 100, currency: 'USD', method: { type: 'card', card } })
  assert.equal(payment.failure?.code, 'card_declined')
})
