// Stripe webhooks and 3-D Secure through stripe-node unchanged: a WebhookEndpoint made by
// stripe-node receives Stripe's Event bodies, stripe.webhooks.constructEvent verifies them (and
// refuses a tampered or wrongly signed one); a failing endpoint is retried with back-off over
// about three days of the virtual clock; notification faults (duplicate) apply; the 3-D Secure
// page a requires_action intent points to is completed with an HTTP POST, as the browser would.
import t from 'tap'
import { receiver, type Received } from '../helpers/receiver.js'
import { stripeGateway } from '../helpers/stripe.js'
import { STRIPE_RETRY_SCHEDULE } from '../../gateway/channels/stripe/codec.js'

t.test('webhooks and 3-D Secure', async (t) => {
  const gw = await stripeGateway(t)
  const { stripe } = await gw.merchant('stripe-hooks')
  const rx = await receiver(t, { now: () => gw.clock.now(), path: '/stripe/webhook' })
  const endpoint = await stripe.webhookEndpoints.create({ url: rx.url, enabled_events: ['*'] })
  t.match(endpoint, { object: 'webhook_endpoint', url: rx.url, status: 'enabled' })
  t.match(endpoint.secret, /^whsec_/)
  const secret = endpoint.secret as string
  const verify = (r: Received) => stripe.webhooks.constructEvent(r.text, r.headers['stripe-signature'] as string, secret)
  const eventsOf = (piId: string) => rx.requests.filter((r) => JSON.stringify(r.json().data.object).includes(piId.slice(3)))
  const settle = () => gw.engine.advanceClock(0)

  t.test('payment_intent.succeeded, verified by constructEvent', async (t) => {
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })
    await settle()
    const [hook] = eventsOf(pi.id)
    t.ok(hook, 'the endpoint got the event')
    const event = verify(hook as Received)
    t.match(event, { object: 'event', type: 'payment_intent.succeeded', livemode: false, data: { object: { id: pi.id, object: 'payment_intent', status: 'succeeded', amount_received: 2000 } } })
    t.match(event.id, /^evt_/)
    t.same((await stripe.events.retrieve(event.id)).data.object, event.data.object, '/v1/events keeps the same event')
  })

  t.test('a tampered body and a wrong signature are refused by constructEvent', async (t) => {
    await gw.admin('POST', '/admin/rules', { merchant_id: 'stripe-hooks', notification: 'tampered_body', times: 1 })
    await gw.admin('POST', '/admin/rules', { merchant_id: 'stripe-hooks', notification: 'bad_signature', times: 1 })
    const a = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })
    const b = await stripe.paymentIntents.create({ amount: 1100, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })
    await settle()
    for (const pi of [a, b]) {
      const [hook] = eventsOf(pi.id)
      t.throws(() => verify(hook as Received), { type: 'StripeSignatureVerificationError' } as never, `refused: ${pi.amount}`)
    }
  })

  t.test('3-D Secure: requires_action, the page completed, then succeeded', async (t) => {
    const pi = await stripe.paymentIntents.create({ amount: 3100, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: 'https://shop.example/back' })
    t.equal(pi.status, 'requires_action')
    t.equal(pi.next_action?.type, 'redirect_to_url')
    const page = pi.next_action?.redirect_to_url?.url as string
    t.match(page, `${gw.url}/cashier/`)
    t.equal(pi.next_action?.redirect_to_url?.return_url, 'https://shop.example/back')
    t.equal((await fetch(page)).status, 200, 'the page shows')
    const posted = await fetch(page, { method: 'POST', body: new URLSearchParams({ code: '123456' }), redirect: 'manual' })
    t.equal(posted.status, 303, 'the page sends the buyer back')
    t.match(posted.headers.get('location'), /^https:\/\/shop\.example\/back/)
    t.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'succeeded')
    await settle()
    t.same(eventsOf(pi.id).map((r) => verify(r).type), ['payment_intent.requires_action', 'payment_intent.succeeded'])
  })

  t.test('3-D Secure after a separate confirm, failed by the buyer', async (t) => {
    const pi = await stripe.paymentIntents.create({ amount: 3200, currency: 'usd' })
    const confirmed = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_threeDSecure2Required' })
    t.equal(confirmed.status, 'requires_action')
    await fetch(confirmed.next_action?.redirect_to_url?.url as string, { method: 'POST', body: new URLSearchParams({ code: '000000' }), redirect: 'manual' })
    const after = await stripe.paymentIntents.retrieve(pi.id)
    t.match(after, { status: 'requires_payment_method', last_payment_error: { code: 'payment_intent_authentication_failure' } })
    await settle()
    t.same(eventsOf(pi.id).map((r) => verify(r).type), ['payment_intent.requires_action', 'payment_intent.payment_failed'])
  })

  t.test('capture, refund and cancel events', async (t) => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' })
    await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 4000 })
    await stripe.refunds.create({ payment_intent: pi.id, amount: 1500 })
    const other = await stripe.paymentIntents.create({ amount: 600, currency: 'usd' })
    await stripe.paymentIntents.cancel(other.id)
    await settle()
    const events = eventsOf(pi.id).map(verify)
    t.same(events.map((e) => e.type), ['payment_intent.amount_capturable_updated', 'payment_intent.succeeded', 'charge.refunded'])
    t.match(events[2]?.data.object, { object: 'charge', amount_captured: 4000, amount_refunded: 1500, refunded: false, payment_intent: pi.id })
    t.same(eventsOf(other.id).map((r) => verify(r).type), ['payment_intent.canceled'])
    const listed = await stripe.events.list({ type: 'payment_intent.*', limit: 100 })
    t.ok(listed.data.every((e) => e.type.startsWith('payment_intent.')))
    t.ok(listed.data.some((e) => e.type === 'payment_intent.canceled'))
  })

  t.test('a duplicated webhook: the same event id twice', async (t) => {
    await gw.admin('POST', '/admin/rules', { merchant_id: 'stripe-hooks', notification: 'duplicate', times: 1 })
    const pi = await stripe.paymentIntents.create({ amount: 1300, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })
    await settle()
    const ids = eventsOf(pi.id).map((r) => verify(r).id)
    t.equal(ids.length, 2)
    t.equal(ids[0], ids[1])
  })

  t.test('a dropped webhook never comes; a delayed one comes when the clock gets there', async (t) => {
    await gw.admin('POST', '/admin/rules', { merchant_id: 'stripe-hooks', notification: 'drop', times: 1 })
    const dropped = await stripe.paymentIntents.create({ amount: 1310, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })
    await gw.admin('POST', '/admin/rules', { merchant_id: 'stripe-hooks', notification: 'delay;10m', times: 1 })
    const delayed = await stripe.paymentIntents.create({ amount: 1320, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })
    await settle()
    t.equal(eventsOf(dropped.id).length, 0)
    t.equal(eventsOf(delayed.id).length, 0, 'not yet')
    await gw.engine.advanceClock(10 * 60_000)
    t.equal(eventsOf(delayed.id).length, 1, 'after ten minutes of the clock')
    t.equal(eventsOf(dropped.id).length, 0)
    const [event] = (await stripe.events.list({ limit: 100 })).data.filter((e) => (e.data.object as { id?: string }).id === dropped.id)
    t.equal(event?.type, 'payment_intent.succeeded', 'a dropped webhook\'s event is still in /v1/events')
  })

  t.test('a failing endpoint is retried with back-off over about three days', async (t) => {
    rx.answer = () => 500
    const pi = await stripe.paymentIntents.create({ amount: 1400, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })
    await settle()
    for (const wait of STRIPE_RETRY_SCHEDULE) await gw.engine.advanceClock(wait * 1000)
    await gw.engine.advanceClock(7 * 86400_000)
    const tries = eventsOf(pi.id)
    t.equal(tries.length, STRIPE_RETRY_SCHEDULE.length + 1, 'the first attempt and one per wait, no more')
    const offsets = tries.map((r) => (r.at - (tries[0] as Received).at) / 1000)
    let sum = 0
    t.same(offsets, [0, ...STRIPE_RETRY_SCHEDULE.map((w) => (sum += w))])
    t.ok(sum <= 3 * 86400, 'within three days')
    t.equal(new Set(tries.map((r) => verify(r).id)).size, 1, 'every attempt is the same event, signed afresh')
    const [event] = gw.engine.channelEvents('stripe-hooks', 'stripe').filter((e) => e.payment_id === `pay_${pi.id.slice(3)}`)
    t.equal(event?.status, 'failed')
    rx.answer = () => 200
  })

  t.test('endpoints: list, delete; no endpoint, no delivery', async (t) => {
    const listed = await stripe.webhookEndpoints.list()
    t.same(listed.data.map((e) => e.id), [endpoint.id])
    t.match(await stripe.webhookEndpoints.del(endpoint.id), { id: endpoint.id, deleted: true })
    const before = rx.requests.length
    await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })
    await settle()
    t.equal(rx.requests.length, before)
    t.same((await stripe.webhookEndpoints.list()).data, [])
  })
})
