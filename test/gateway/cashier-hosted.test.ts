// The hosted cashier as a payment page: a card payment created with `entry: hosted` waits for
// the buyer's card, which arrives as an envelope made in the page; until the buyer has given
// anything they may switch method. Over a real socket, as a browser posts.
import t from 'tap'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { live, type Answered, type LiveGateway, sharedLive } from '../helpers/live.js'
import { orderId, PAYLAB_ONLY } from '../helpers/build.js'

// One listening gateway for the file; each test is a merchant of its own on it (helpers/live.ts).
const gateway = sharedLive(PAYLAB_ONLY)

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

const hosted = (extra: Record<string, unknown> = {}) => ({
  merchant_order_id: orderId(),
  amount: 2500,
  currency: 'USD',
  method: { type: 'card', card: { entry: 'hosted' } },
  return_url: 'https://shop.example/back',
  ...extra
})

const envelope = (gw: LiveGateway, number: string, card: Record<string, unknown> = {}): Record<string, string> =>
  ((gw.cardPayment(number, {}, card).method as { card: { encrypted: Record<string, string> } }).card.encrypted)

async function post (gw: LiveGateway, path: string, fields: Record<string, string>): Promise<Answered> {
  const out = await gw.send({ method: 'POST', path, body: new URLSearchParams(fields).toString(), headers: FORM })
  if (!out.ok) throw new Error(`${path}: no answer`)
  return out
}

async function html (gw: LiveGateway, id: string): Promise<string> {
  const out = await gw.send({ method: 'GET', path: `/cashier/${id}` })
  if (!out.ok || out.status !== 200) throw new Error(`GET /cashier/${id} failed`)
  return out.text
}

t.test('a hosted card payment waits for the card; the page has the gateway key and a form that posts no card field', async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  const p = await gw.create(hosted())
  t.match(p, { status: 'requires_action', method: { type: 'card' }, next_action: { type: 'redirect' } })
  t.notOk('card' in p.method, 'no card yet')
  const page = await html(gw, p.id)
  const key = gw.engine.keys().data[0] as { id: string, public_key: string }
  t.match(page, `data-key-id="${key.id}"`)
  t.match(page, key.public_key.split('\n')[1], 'the active public key is in the page')
  t.match(page, 'Demo Shop')
  t.match(page, '25.00 USD')
  for (const label of ['Card', 'Alipay', 'WeChat Pay', 'PayPal', 'Bank transfer']) t.match(page, `>${label}</button>`, `method ${label}`)
  t.match(page, /<input id="cc-number"(?![^>]*name=)[^>]*>/, 'the typed number has no name, so it is never posted')
  for (const field of ['key_id', 'alg', 'encrypted_key', 'iv', 'ciphertext', 'tag']) t.match(page, `<input type="hidden" name="${field}">`)
})

t.test('the envelope from the page pays; the buyer goes back with the ids', async (t) => {
  const gw = await gateway(t)
  const p = await gw.create(hosted())
  const res = await post(gw, `/cashier/${p.id}/card`, envelope(gw, '4242424242424242'))
  t.equal(res.status, 303)
  t.equal(res.headers.location, `https://shop.example/back?payment_id=${p.id}&merchant_order_id=${p.merchant_order_id}`)
  t.match(await gw.payment(p.id), { status: 'succeeded', amount_captured: 2500, method: { type: 'card', card: { brand: 'visa', last4: '4242' } } })
})

t.test('a mistyped card is shown again with a readable reason, and the payment still waits', async (t) => {
  const gw = await gateway(t)
  const p = await gw.create(hosted())
  const bad = await post(gw, `/cashier/${p.id}/card`, envelope(gw, '4242424242424241'))
  t.equal(bad.status, 400)
  t.match(bad.headers['content-type'], 'text/html')
  t.match(bad.text, 'role="alert" id="page-error">This card number is not valid: check for a mistyped digit.')
  t.match(bad.text, 'id="card-form"', 'the card form again')
  const expired = await post(gw, `/cashier/${p.id}/card`, envelope(gw, '4242424242424242', { exp_year: 2001 }))
  t.match(expired.text, 'This card has expired')
  const json = await gw.send({ method: 'POST', path: `/cashier/${p.id}/card`, body: JSON.stringify(envelope(gw, '4242424242424241')), headers: { 'content-type': 'application/json' } })
  t.same(json.ok && [json.status, json.json().error.code], [400, 'PAYLAB_CARD_NUMBER_INVALID'], 'a script gets the error')
  t.equal((await gw.payment(p.id)).status, 'requires_action')
  t.equal((await post(gw, `/cashier/${p.id}/card`, envelope(gw, '5555555555554444'))).status, 303)
  t.match(await gw.payment(p.id), { status: 'succeeded', method: { card: { brand: 'mastercard' } } })
})

t.test('a 3-D Secure card continues on the same page under the same expiry', async (t) => {
  const gw = await gateway(t)
  const p = await gw.create(hosted())
  const res = await post(gw, `/cashier/${p.id}/card`, envelope(gw, '4000002760003184'))
  t.same([res.status, res.headers.location], [303, `/cashier/${p.id}`])
  const waiting = await gw.payment(p.id)
  t.match(waiting, { status: 'requires_action', expires_at: p.expires_at, method: { card: { last4: '3184' } } })
  t.match(await html(gw, p.id), 'card ending in 3184')
  const switched = await post(gw, `/cashier/${p.id}/method`, { method: 'wallet:alipay' })
  t.equal(switched.status, 409, 'no method switch once the card is given')
  t.equal((await gw.cashier(p.id, { code: '123456' }, true)).status, 303)
  t.equal((await gw.payment(p.id)).status, 'succeeded')
})

t.test('the buyer switches method before giving anything; the amount decides a wallet as at creation', async (t) => {
  const gw = await gateway(t)
  const p = await gw.create(hosted({ amount: 40051 }))
  t.equal((await post(gw, `/cashier/${p.id}/method`, { method: 'wallet:paypal' })).headers.location, `/cashier/${p.id}`)
  t.match(await gw.payment(p.id), { status: 'requires_action', method: { type: 'wallet', wallet: { provider: 'paypal' } }, expires_at: p.expires_at })
  t.match(await html(gw, p.id), 'Pay with PayPal')
  await post(gw, `/cashier/${p.id}/method`, { method: 'bank_transfer' })
  t.match(await html(gw, p.id), 'I have made the transfer')
  await post(gw, `/cashier/${p.id}/method`, { method: 'card' })
  t.match(await html(gw, p.id), 'id="card-form"', 'back to the card form')
  const approve = await gw.cashier(p.id, { action: 'pass' })
  t.same([approve.status, approve.json().error.code], [409, 'PAYLAB_INVALID_STATE_TRANSITION'], 'a card entry is not approved, it is entered')
  await post(gw, `/cashier/${p.id}/method`, { method: 'wallet:wechat_pay' })
  await gw.cashier(p.id, { action: 'pass' }, true)
  t.match(await gw.payment(p.id), { status: 'failed', failure: { code: 'insufficient_funds' }, method: { wallet: { provider: 'wechat_pay' } } })
})

t.test('an outcome forced by the header still wins after a switch or a card', async (t) => {
  const gw = await gateway(t)
  const headers = { 'paylab-scenario': 'outcome=decline:card_declined' }
  const card = await gw.create(hosted(), headers)
  await post(gw, `/cashier/${card.id}/card`, envelope(gw, '4242424242424242'))
  t.match(await gw.payment(card.id), { status: 'failed', failure: { code: 'card_declined' } })
  const wallet = await gw.create(hosted(), headers)
  await post(gw, `/cashier/${wallet.id}/method`, { method: 'wallet:alipay' })
  await gw.cashier(wallet.id, { action: 'pass' })
  t.match(await gw.payment(wallet.id), { status: 'failed', failure: { code: 'card_declined' } })
})

t.test('an abandoned card entry closes when it expires', async (t) => {
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock() })
  const p = await gw.create(hosted({ expires_in: 600 }))
  await gw.cashier(p.id, { action: 'cancel' }, true)
  await gw.advance('9m')
  t.equal((await gw.payment(p.id)).status, 'requires_action')
  await gw.advance('1m')
  t.match(await gw.payment(p.id), { status: 'canceled', cancellation_reason: 'expired' })
  t.equal((await post(gw, `/cashier/${p.id}/card`, envelope(gw, '4242424242424242'))).status, 409)
})

t.test('refusals: entry hosted with card fields, a card for a wallet, a method that does not exist', async (t) => {
  const gw = await gateway(t)
  const mixed = await gw.answer({ method: 'POST', path: '/v1/payments', body: hosted({ method: { type: 'card', card: { entry: 'hosted', number: '4242424242424242' } } }) })
  t.match([mixed.status, mixed.json().error], [400, { code: 'PAYLAB_VALIDATION_FAILED', field: 'method.card.entry' }])
  const wallet = await gw.create({ merchant_order_id: orderId(), amount: 500, currency: 'USD', method: { type: 'wallet', wallet: { provider: 'alipay' } } })
  t.equal((await post(gw, `/cashier/${wallet.id}/card`, envelope(gw, '4242424242424242'))).status, 409)
  const unknown = await post(gw, `/cashier/${wallet.id}/method`, { method: 'crypto' })
  t.same([unknown.status, unknown.json().error.code], [400, 'PAYLAB_VALIDATION_FAILED'])
  t.match(await gw.payment(wallet.id), { status: 'requires_action', method: { wallet: { provider: 'alipay' } } })
})
