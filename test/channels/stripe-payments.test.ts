// stripe-node, unchanged, against the Stripe profile: PaymentIntents with Stripe's test payment
// methods (succeeded, declined with decline_code, manual and partial capture, update, cancel),
// refunds (partial, then the rest), and lists with stripe-node's auto-pagination.
import t from 'tap'
import Stripe from 'stripe'
import { client, stripeGateway } from '../helpers/stripe.js'

t.test('PaymentIntents and refunds through stripe-node', async (t) => {
  const gw = await stripeGateway(t)
  const { stripe, keys } = await gw.merchant('stripe-pay')

  t.test('create and confirm with pm_card_visa: succeeded', async (t) => {
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { order_id: 'A-1' } })
    t.match(pi, { object: 'payment_intent', status: 'succeeded', amount: 2000, amount_received: 2000, currency: 'usd', livemode: false, payment_method: 'pm_card_visa', metadata: { order_id: 'A-1' } })
    t.match(pi.id, /^pi_/)
    t.match(pi.client_secret, new RegExp(`^${pi.id}_secret_`))
    t.type(pi.created, 'number')
    t.match(pi.lastResponse.requestId, /^req_/, 'answers carry Request-Id')
    const again = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge', 'payment_method'] })
    t.match(again, { id: pi.id, status: 'succeeded', latest_charge: { object: 'charge', amount_captured: 2000, payment_method_details: { card: { brand: 'visa', last4: '4242' } } }, payment_method: { object: 'payment_method', card: { last4: '4242' } } })
  })

  t.test('pm_card_chargeDeclined: StripeCardError with decline_code', async (t) => {
    const err = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur', payment_method: 'pm_card_chargeDeclinedInsufficientFunds', confirm: true }).then(() => undefined, (e: unknown) => e)
    t.ok(err instanceof Stripe.errors.StripeCardError, 'stripe-node raises StripeCardError')
    const card = err as Stripe.errors.StripeCardError
    t.match(card, { statusCode: 402, type: 'StripeCardError', code: 'card_declined', decline_code: 'insufficient_funds' })
    const pi = card.payment_intent as Stripe.PaymentIntent
    t.match(pi, { status: 'requires_payment_method', last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' } })
    const chosen = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { headers: { 'Paylab-Scenario': 'outcome=decline:stolen_card' } }).catch((e: Stripe.errors.StripeCardError) => e)
    t.match(chosen, { code: 'card_declined', decline_code: 'stolen_card' }, 'Paylab-Scenario through stripe-node\'s request options')
    const generic = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }).catch((e: Stripe.errors.StripeCardError) => e)
    t.match(generic, { code: 'card_declined', decline_code: 'generic_decline' })
  })

  t.test('create, update, then confirm; statuses on the way', async (t) => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' })
    t.equal(pi.status, 'requires_payment_method')
    const updated = await stripe.paymentIntents.update(pi.id, { amount: 1200, payment_method: 'pm_card_mastercard', metadata: { a: '1', b: '2' } })
    t.match(updated, { status: 'requires_confirmation', amount: 1200, payment_method: 'pm_card_mastercard', metadata: { a: '1', b: '2' } })
    const cleared = await stripe.paymentIntents.update(pi.id, { metadata: { a: '' } })
    t.same(cleared.metadata, { b: '2' }, 'a key set to an empty string is removed, as in Stripe')
    const confirmed = await stripe.paymentIntents.confirm(pi.id)
    t.match(confirmed, { status: 'succeeded', amount_received: 1200 })
    const late = await stripe.paymentIntents.update(pi.id, { amount: 5 }).catch((e: Stripe.errors.StripeError) => e)
    t.match(late, { type: 'StripeInvalidRequestError', code: 'payment_intent_unexpected_state', statusCode: 400 })
  })

  t.test('manual capture, partial; then cancel of another', async (t) => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' })
    t.match(pi, { status: 'requires_capture', amount_capturable: 5000, amount_received: 0 })
    const tooMuch = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 6000 }).catch((e: Stripe.errors.StripeError) => e)
    t.match(tooMuch, { type: 'StripeInvalidRequestError', code: 'amount_too_large', param: 'amount_to_capture' })
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 3000 })
    t.match(captured, { status: 'succeeded', amount_received: 3000, amount_capturable: 0 })
    const other = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' })
    const canceled = await stripe.paymentIntents.cancel(other.id, { cancellation_reason: 'duplicate' })
    t.match(canceled, { status: 'canceled', cancellation_reason: 'duplicate' })
    t.type(canceled.canceled_at, 'number')
  })

  t.test('refunds: partial, the rest, too much; retrieve and list', async (t) => {
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })
    const first = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000, reason: 'requested_by_customer' })
    t.match(first, { object: 'refund', amount: 1000, status: 'succeeded', payment_intent: pi.id, charge: `ch_${pi.id.slice(3)}`, reason: 'requested_by_customer', currency: 'usd' })
    const rest = await stripe.refunds.create({ charge: `ch_${pi.id.slice(3)}` })
    t.equal(rest.amount, 2000, 'without an amount: what is left')
    const over = await stripe.refunds.create({ payment_intent: pi.id, amount: 1 }).catch((e: Stripe.errors.StripeError) => e)
    t.match(over, { type: 'StripeInvalidRequestError', statusCode: 400 })
    t.match(await stripe.refunds.retrieve(first.id), { id: first.id, amount: 1000 })
    const listed = await stripe.refunds.list({ payment_intent: pi.id })
    t.same(listed.data.map((r) => r.id), [rest.id, first.id], 'newest first')
    const charge = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] })
    t.match(charge.latest_charge, { amount_refunded: 3000, refunded: true })
    const missing = await stripe.refunds.retrieve('re_nothing').catch((e: Stripe.errors.StripeError) => e)
    t.match(missing, { statusCode: 404, code: 'resource_missing' })
  })

  t.test('list with limit and starting_after; stripe-node auto-pagination', async (t) => {
    const { stripe: fresh } = await gw.merchant('stripe-list')
    const made: string[] = []
    for (let i = 0; i < 7; i++) made.push((await fresh.paymentIntents.create({ amount: 100 + i, currency: 'usd' })).id)
    const page = await fresh.paymentIntents.list({ limit: 3 })
    t.same(page.data.map((p) => p.id), made.slice(-3).reverse())
    t.equal(page.has_more, true)
    const seen: string[] = []
    for await (const pi of fresh.paymentIntents.list({ limit: 2 })) seen.push(pi.id)
    t.same(seen, [...made].reverse(), 'every intent once, newest first, over four pages')
    const mine = await stripe.paymentIntents.list({ limit: 100 })
    t.notOk(mine.data.some((p) => made.includes(p.id)), 'another merchant\'s intents are not listed')
  })

  t.test('payment methods: tokens, numbers, unknown ids', async (t) => {
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { number: '4000 0000 0000 9995', exp_month: 12, exp_year: 2030, cvc: '123' } })
    t.match(pm, { object: 'payment_method', type: 'card', card: { brand: 'visa', last4: '9995', exp_month: 12, exp_year: 2030 } })
    t.notOk(pm.id.includes('4000000000009995'), 'the id carries no number')
    const declined = await stripe.paymentIntents.create({ amount: 800, currency: 'usd', payment_method: pm.id, confirm: true }).catch((e: Stripe.errors.StripeCardError) => e)
    t.match(declined, { decline_code: 'insufficient_funds' }, 'a test number declines as Stripe\'s does')
    t.match(await stripe.paymentMethods.retrieve('pm_card_amex'), { card: { brand: 'amex', last4: '0005' } })
    const bad = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424241', exp_month: 12, exp_year: 2030 } }).catch((e: Stripe.errors.StripeError) => e)
    t.match(bad, { type: 'StripeCardError', code: 'incorrect_number' })
    const none = await stripe.paymentIntents.create({ amount: 800, currency: 'usd', payment_method: 'pm_nothing', confirm: true }).catch((e: Stripe.errors.StripeError) => e)
    t.match(none, { statusCode: 404, code: 'resource_missing', param: 'payment_method' })
  })

  t.test('Stripe\'s errors: wrong key, unknown parameter, unknown route, Connect', async (t) => {
    const wrong = await client('sk_test_0000000000000000000000', gw.port).paymentIntents.list().catch((e: Stripe.errors.StripeError) => e) as Stripe.errors.StripeError
    t.match(wrong, { type: 'StripeAuthenticationError', statusCode: 401, raw: { type: 'invalid_request_error' } })
    t.match(wrong.message, /Invalid API Key provided: sk_test_\*+0000/)
    const unknown = await stripe.paymentIntents.create({ amount: 100, currency: 'usd', colour: 'red' } as never).catch((e: Stripe.errors.StripeError) => e)
    t.match(unknown, { statusCode: 400, code: 'parameter_unknown', param: 'colour' })
    const connect = await stripe.paymentIntents.create({ amount: 100, currency: 'usd', application_fee_amount: 10 }).catch((e: Stripe.errors.StripeError) => e) as Stripe.errors.StripeError
    t.match(connect.message, /does not simulate Connect/)
    const customers = await stripe.customers.list().catch((e: Stripe.errors.StripeError) => e)
    t.match(customers, { statusCode: 404, type: 'StripeInvalidRequestError' })
    const missing = await stripe.paymentIntents.retrieve('pi_nothing').catch((e: Stripe.errors.StripeError) => e)
    t.match(missing, { statusCode: 404, code: 'resource_missing', param: 'intent' })
    const raw = await gw.app.inject({ method: 'POST', url: '/v1/payment_intents', headers: { authorization: `Bearer ${keys.secret_key}`, 'content-type': 'application/x-www-form-urlencoded', 'stripe-version': '2024-06-20' }, payload: 'amount=abc&currency=usd' })
    t.equal(raw.statusCode, 400)
    t.match(raw.json(), { error: { type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount' } })
    t.equal(raw.headers['stripe-version'], '2024-06-20', 'Stripe-Version is accepted and echoed')
    const proto = await gw.app.inject({ method: 'POST', url: '/v1/payment_intents', headers: { authorization: `Bearer ${keys.secret_key}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'amount=100&currency=usd&metadata[__proto__][x]=1&metadata[constructor]=c' })
    t.equal(proto.statusCode, 200, proto.body)
    t.same(proto.json().metadata, { constructor: 'c' }, '__proto__ never reaches an object prototype')
    t.equal(({} as Record<string, unknown>).x, undefined)
    const form = (payload: string) => gw.app.inject({ method: 'POST', url: '/v1/payment_intents', headers: { authorization: `Basic ${Buffer.from(`${keys.secret_key}:`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, payload })
    const brackets = await form('amount=900&currency=usd&payment_method_types[0]=card&payment_method=pm_card_visa&confirm=true&expand[]=latest_charge&metadata[k]=v')
    t.match(brackets.json(), { status: 'succeeded', metadata: { k: 'v' }, latest_charge: { object: 'charge' } }, 'bracket arrays and hashes, Basic auth as curl -u sends it')
    t.match((await form('amount=900&currency=usd&payment_method_types[0]=alipay')).json(), { error: { param: 'payment_method_types' } })
  })
})
