// Representative answers of every operation, successes and refusals, match the response the
// document promises for their status: body schema, content type and documented headers.
import t from 'tap'
import { createHmac } from 'node:crypto'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { build, orderId } from '../helpers/build.js'
import { answerProblems, makeAjv, operationOf, operations, type Answer } from '../helpers/contract.js'
import type { SignOptions } from '../helpers/signer.js'

t.test('answers match the response schemas of openapi.yaml', async (t) => {
  // Notifications are delivered to a transport that takes them all, so no sample waits on a socket.
  const gw = await build(t, { clock: new VirtualClock(), transport: { deliver: async () => ({ status: 200, error: null }) } })
  const samples: Array<{ method: string, url: string, answer: Answer }> = []
  const keep = (method: string, url: string, res: LightMyRequestResponse) => {
    samples.push({ method, url, answer: { status: res.statusCode, headers: res.headers, body: res.body } })
    return res
  }
  const signed = async (opts: SignOptions) => keep(opts.method, opts.path, await gw.signed(opts))
  const admin = async (opts: InjectOptions & { url: string, method: string }) => keep(opts.method, opts.url, await gw.admin(opts))
  const plain = async (opts: InjectOptions & { url: string, method: string }) => keep(opts.method, opts.url, await gw.app.inject(opts))
  const pay = (body: unknown, secret = gw.engine.config.seedSecret) => {
    const text = JSON.stringify(body)
    return plain({ method: 'POST', url: '/pay', payload: text, headers: { 'content-type': 'application/json', signature: createHmac('sha256', secret).update(text).digest('hex') } })
  }

  // Health and keys
  await plain({ method: 'GET', url: '/healthz' })
  await plain({ method: 'GET', url: '/healthz?verbose=1' })
  await signed({ method: 'GET', path: '/v1/keys' })
  await signed({ method: 'GET', path: '/v1/keys', headers: { 'paylab-signature': 'AAAA' } })

  // Payments: every status a create can end in, and the refusals
  const card = (await signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') })).json()
  await signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { merchant_order_id: card.merchant_order_id }) })
  await signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4000000000009995') })
  await signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4000000000003055') })
  const manual = (await signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { capture: 'manual', metadata: { cart: 'c-1' } }) })).json()
  const other = (await signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('5555555555554444', { capture: 'manual' }) })).json()
  const wallet = (await signed({ method: 'POST', path: '/v1/payments', body: { merchant_order_id: orderId(), amount: 5000, currency: 'CNY', method: { type: 'wallet', wallet: { provider: 'alipay' } }, return_url: 'https://shop.example/return' } })).json()
  await signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { amount: '100' }) })
  await signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { merchant_order_id: card.merchant_order_id, amount: 5 }) })
  await signed({ method: 'POST', path: '/v1/payments', body: '{"amount":' })
  await signed({ method: 'POST', path: '/v1/payments', body: 'amount=5', headers: { 'content-type': 'text/plain' } })
  await signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { description: 'x'.repeat(1024 * 1024) }) })
  await signed({ method: 'GET', path: '/v1/payments?limit=2' })
  await signed({ method: 'GET', path: '/v1/payments?limit=0' })
  await signed({ method: 'GET', path: `/v1/payments/${card.id as string}` })
  await signed({ method: 'GET', path: '/v1/payments/pay_Missing' })
  await signed({ method: 'GET', path: `/v1/payments/order/${card.merchant_order_id as string}` })
  await signed({ method: 'GET', path: '/v1/payments/order/order-missing' })
  await signed({ method: 'POST', path: `/v1/payments/${manual.id as string}/capture`, body: { amount: 1000 } })
  await signed({ method: 'POST', path: `/v1/payments/${card.id as string}/capture` })
  await signed({ method: 'POST', path: `/v1/payments/${other.id as string}/cancel` })
  await signed({ method: 'POST', path: `/v1/payments/${card.id as string}/cancel` })

  // The daily statement (CSV), for the day of the gateway clock
  const today = new Date(gw.engine.clock.now()).toISOString().slice(0, 10)
  await signed({ method: 'GET', path: `/v1/statements?date=${today}` })
  await signed({ method: 'GET', path: '/v1/statements?date=today' })

  // Refunds
  const refund = (await signed({ method: 'POST', path: `/v1/payments/${card.id as string}/refunds`, body: { merchant_refund_id: orderId(), amount: 500, reason: 'damaged' } })).json()
  await signed({ method: 'POST', path: `/v1/payments/${card.id as string}/refunds`, body: { merchant_refund_id: orderId(), amount: 5000 } })
  await signed({ method: 'POST', path: '/v1/payments/pay_Missing/refunds', body: { merchant_refund_id: orderId() } })
  await signed({ method: 'GET', path: `/v1/payments/${card.id as string}/refunds` })
  await signed({ method: 'GET', path: '/v1/payments/pay_Missing/refunds' })
  await signed({ method: 'GET', path: `/v1/refunds/${refund.id as string}` })
  await signed({ method: 'GET', path: '/v1/refunds/re_Missing' })

  // The hosted cashier
  await plain({ method: 'GET', url: `/cashier/${wallet.id as string}` })
  await plain({ method: 'GET', url: '/cashier/pay_Missing' })
  await plain({ method: 'POST', url: `/cashier/${wallet.id as string}`, payload: 'action=pass', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  const wallet2 = (await signed({ method: 'POST', path: '/v1/payments', body: { merchant_order_id: orderId(), amount: 700, currency: 'USD', method: { type: 'bank_transfer' } } })).json()
  await plain({ method: 'POST', url: `/cashier/${wallet2.id as string}`, payload: JSON.stringify({ action: 'fail' }), headers: { 'content-type': 'application/json' } })
  await plain({ method: 'POST', url: '/cashier/pay_Missing', payload: JSON.stringify({ action: 'pass' }), headers: { 'content-type': 'application/json' } })
  const hosted = async () => (await signed({ method: 'POST', path: '/v1/payments', body: { merchant_order_id: orderId(), amount: 900, currency: 'USD', method: { type: 'card', card: { entry: 'hosted' } }, return_url: 'https://shop.example/return' } })).json()
  const envelope = (number: string) => (gw.cardPayment(number).method as { card: { encrypted: Record<string, string> } }).card.encrypted
  const form = { 'content-type': 'application/x-www-form-urlencoded' }
  const entry = await hosted()
  await plain({ method: 'POST', url: `/cashier/${entry.id as string}/method`, payload: 'method=wallet%3Apaypal', headers: form })
  await plain({ method: 'POST', url: `/cashier/${entry.id as string}/method`, payload: 'method=crypto', headers: form })
  await plain({ method: 'POST', url: `/cashier/${entry.id as string}/method`, payload: JSON.stringify({ method: 'card' }), headers: { 'content-type': 'application/json' } })
  await plain({ method: 'POST', url: `/cashier/${entry.id as string}/card`, payload: new URLSearchParams(envelope('4242424242424241')).toString(), headers: form })
  await plain({ method: 'POST', url: `/cashier/${entry.id as string}/card`, payload: JSON.stringify(envelope('4242424242424241')), headers: { 'content-type': 'application/json' } })
  await plain({ method: 'POST', url: `/cashier/${entry.id as string}/card`, payload: JSON.stringify(envelope('4242424242424242')), headers: { 'content-type': 'application/json' } })
  await plain({ method: 'POST', url: `/cashier/${entry.id as string}/card`, payload: JSON.stringify(envelope('4242424242424242')), headers: { 'content-type': 'application/json' } })
  await plain({ method: 'POST', url: `/cashier/${(await hosted()).id as string}/card`, payload: JSON.stringify(envelope('4000002760003184')), headers: { 'content-type': 'application/json' } })

  // The source document's /pay
  await pay({ user_id: 'u-1', order_id: orderId(), amount: 100.0, currency: 'USD' })
  await pay({ user_id: 'u-1', order_id: orderId(), amount: 400.02, currency: 'USD' })
  await pay({ user_id: 'u-1', order_id: orderId(), amount: 100.0, currency: 'USD' }, 'wrong-secret')
  await pay({ user_id: 'u-1', order_id: orderId(), amount: 1.001, currency: 'USD' })

  // Admin: merchants and gateway keys
  await admin({ method: 'GET', url: '/admin/merchants' })
  await plain({ method: 'GET', url: '/admin/merchants' })
  await admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'contract-shop', name: 'Contract Shop', notify_url: 'http://127.0.0.1:9/notify' } })
  await admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'contract-shop', name: 'Again' } })
  await admin({ method: 'POST', url: '/admin/merchants', payload: { name: '' } })
  await admin({ method: 'GET', url: '/admin/merchants/contract-shop' })
  await admin({ method: 'GET', url: '/admin/merchants/nobody' })
  await admin({ method: 'PATCH', url: '/admin/merchants/contract-shop', payload: { name: 'Contract Shop 2', answer_signature_type: 'HMAC-SHA256' } })
  await admin({ method: 'PATCH', url: '/admin/merchants/nobody', payload: { name: 'x' } })
  await admin({ method: 'PATCH', url: '/admin/merchants/contract-shop', payload: { rsa_public_key: 'not a key' } })
  await admin({ method: 'POST', url: '/admin/merchants/contract-shop/rotate-secret' })
  await admin({ method: 'POST', url: '/admin/merchants/nobody/rotate-secret' })
  await admin({ method: 'POST', url: '/admin/keys/rotate' })
  await plain({ method: 'POST', url: '/admin/keys/rotate' })

  // Notification events
  await signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { notify_url: 'http://127.0.0.1:9/notify' }) })
  const events = (await admin({ method: 'GET', url: '/admin/events?merchant_id=demo&limit=5' })).json()
  const eventId = events.data[0]?.id as string
  await admin({ method: 'GET', url: '/admin/events?status=lost' })
  await admin({ method: 'GET', url: `/admin/events/${eventId}` })
  await admin({ method: 'GET', url: '/admin/events/evt_Missing' })
  await admin({ method: 'POST', url: `/admin/events/${eventId}/resend` })
  await admin({ method: 'POST', url: '/admin/events/evt_Missing/resend' })
  await admin({ method: 'POST', url: '/admin/events/deliver-due', payload: { merchant_id: 'demo' } })
  await admin({ method: 'POST', url: '/admin/events/deliver-due', payload: { merchant_id: 'not a merchant id' } })

  // Sandbox controls
  const rule = (await admin({ method: 'POST', url: '/admin/rules', payload: { merchant_id: 'contract-shop', match: { method: 'POST', path: '/v1/payments' }, fault: 'http_503', times: 1 } })).json()
  await admin({ method: 'POST', url: '/admin/rules', payload: { merchant_id: 'contract-shop', fault: 'no-such-fault' } })
  await admin({ method: 'GET', url: '/admin/rules?merchant_id=contract-shop' })
  await plain({ method: 'GET', url: '/admin/rules' })
  await admin({ method: 'DELETE', url: `/admin/rules/${rule.id as string}` })
  await admin({ method: 'DELETE', url: '/admin/rules/rule_Missing' })
  await admin({ method: 'DELETE', url: '/admin/rules?merchant_id=contract-shop' })
  await admin({ method: 'DELETE', url: '/admin/rules' })
  await admin({ method: 'GET', url: '/admin/journal?merchant_id=demo&limit=5' })
  await admin({ method: 'GET', url: '/admin/journal?status=abc' })
  await admin({ method: 'GET', url: '/admin/journal/count?merchant_id=demo&method=POST' })
  await admin({ method: 'GET', url: '/admin/journal/count?limit=0' })
  await admin({ method: 'DELETE', url: '/admin/journal?merchant_id=contract-shop' })
  await plain({ method: 'DELETE', url: '/admin/journal' })
  await admin({ method: 'GET', url: '/admin/clock' })
  await plain({ method: 'GET', url: '/admin/clock' })
  await admin({ method: 'POST', url: '/admin/clock/advance', payload: { duration: '20m' } })
  await admin({ method: 'POST', url: '/admin/clock/advance', payload: { ms: -1 } })

  const ajv = makeAjv()
  const seen = new Map<string, Set<string>>()
  for (const { method, url, answer } of samples) {
    const op = operationOf(method, url)
    if (op === undefined) { t.fail(`${method} ${url} is no operation of openapi.yaml`); continue }
    const kinds = seen.get(op.id) ?? new Set<string>()
    kinds.add(answer.status < 400 ? 'success' : 'refusal')
    seen.set(op.id, kinds)
    t.same(answerProblems(ajv, op, answer), [], `${method} ${url.slice(0, 80)} → ${answer.status} matches ${op.id}`)
  }
  for (const op of operations()) {
    t.ok(seen.get(op.id)?.has('success'), `${op.id} has a success sample (add one above)`)
    t.ok(seen.get(op.id)?.has('refusal'), `${op.id} has a refusal sample (add one above)`)
  }
})
