// stripe-node against a running paylab (`npm start`), unchanged but for host, port and protocol:
// a webhook endpoint of our own, a card payment, a decline, 3-D Secure on paylab's page, a
// partial refund, and the webhooks verified with stripe.webhooks.constructEvent.
//
//   npm start                       # prints the demo merchant's Stripe keys
//   STRIPE_SECRET_KEY=sk_test_… node examples/stripe/checkout.mjs [http://127.0.0.1:7400]
import { createServer } from 'node:http'
import Stripe from 'stripe'

const key = process.env.STRIPE_SECRET_KEY
if (key === undefined || !key.startsWith('sk_test_')) {
  console.error('Set STRIPE_SECRET_KEY to the sk_test_ key `npm start` printed (Stripe (demo): secret key …).')
  process.exit(2)
}
const gateway = new URL(process.argv[2] ?? 'http://127.0.0.1:7400')
const stripe = new Stripe(key, { host: gateway.hostname, port: Number(gateway.port), protocol: gateway.protocol.replace(':', '') })

// Our webhook endpoint: verifies each event as a Stripe handler should, by the raw body.
const received = []
let secret = ''
const hooks = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    try {
      const event = stripe.webhooks.constructEvent(Buffer.concat(chunks), req.headers['stripe-signature'], secret)
      received.push(event)
      console.log(`  webhook: ${event.type} ${event.data.object.id ?? ''}`)
      res.writeHead(200).end()
    } catch (err) {
      console.log(`  webhook refused: ${err.message.split('\n')[0]}`)
      res.writeHead(400).end()
    }
  })
})
await new Promise((resolve) => hooks.listen(0, '127.0.0.1', resolve))
const endpoint = await stripe.webhookEndpoints.create({ url: `http://127.0.0.1:${hooks.address().port}/webhooks`, enabled_events: ['*'] })
secret = endpoint.secret
console.log(`webhook endpoint ${endpoint.id} -> ${endpoint.url}`)

const paid = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })
console.log(`pm_card_visa: ${paid.id} ${paid.status}`)

try {
  await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_chargeDeclinedInsufficientFunds', confirm: true })
} catch (err) {
  console.log(`pm_card_chargeDeclinedInsufficientFunds: ${err.type} ${err.code} decline_code=${err.decline_code}`)
}

const secure = await stripe.paymentIntents.create({ amount: 3100, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true })
const page = secure.next_action.redirect_to_url.url
console.log(`pm_card_authenticationRequired: ${secure.status}, 3-D Secure page ${page}`)
// What the buyer does in the browser: the code 123456 passes, anything else fails.
await fetch(page, { method: 'POST', body: new URLSearchParams({ code: '123456' }), redirect: 'manual' })
console.log(`after the page: ${(await stripe.paymentIntents.retrieve(secure.id)).status}`)

const refund = await stripe.refunds.create({ payment_intent: paid.id, amount: 500 })
console.log(`refund ${refund.id}: ${refund.amount} ${refund.status}`)

// Webhooks go out right after each change; give them a moment, then stop.
const deadline = Date.now() + 5000
while (received.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
console.log(`${received.length} webhooks verified; /v1/events has ${(await stripe.events.list({ limit: 100 })).data.length} events`)
await stripe.webhookEndpoints.del(endpoint.id)
hooks.close()
