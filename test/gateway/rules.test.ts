// Sandbox rules through the admin API, with the requests they shape sent over a real socket:
// create, list with hit counts, delete, reset per merchant, and the isolation that lets parallel
// suites share one gateway.
import t from 'tap'
import { addMerchant } from '../helpers/merchants.js'
import { live, methodPayment, sharedLive, type LiveGateway } from '../helpers/live.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

// One listening gateway for the tests about one merchant's rules, a merchant of its own for each;
// the tests about every merchant's rules, or about another gateway, build their own.
const gateway = sharedLive(PAYLAB_ONLY)

const CARD = '4242424242424242'

async function rule (gw: LiveGateway, body: Record<string, unknown>): Promise<any> {
  const res = await gw.admin({ method: 'POST', url: '/admin/rules', payload: body })
  if (res.statusCode !== 201) throw new Error(`rule answered ${res.statusCode}: ${res.body}`)
  return res.json()
}
const rules = async (gw: LiveGateway, merchant?: string): Promise<any[]> =>
  (await gw.admin({ method: 'GET', url: `/admin/rules${merchant === undefined ? '' : `?merchant_id=${merchant}`}` })).json().data

/** The status each of n creates is answered with (or the socket error). */
async function statuses (gw: LiveGateway, n: number, creds = gw.demo, body = () => gw.cardPayment(CARD)): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await gw.call({ method: 'POST', path: '/v1/payments', body: body() }, creds)
    out.push(res.ok ? String(res.status) : res.error.syscall === 'read' ? 'reset' : 'closed')
  }
  return out
}

t.test('a fault rule applies to its matches; the list shows its hits; delete stops it', async (t) => {
  const gw = await gateway(t)
  const demo = gw.demo.merchant
  const r = await rule(gw, { merchant_id: demo, match: { method: 'POST', path: '/v1/payments' }, fault: 'http_503;4' })
  t.match(r, { id: /^rule_/, merchant_id: demo, fault: 'http_503;4', outcome: null, hits: 0 })
  const res = await gw.answer({ method: 'POST', path: '/v1/payments', body: gw.cardPayment(CARD) })
  t.same([res.status, res.headers['retry-after']], [503, '4'])
  t.equal((await gw.answer({ method: 'GET', path: '/v1/payments' })).status, 200, 'a GET does not match')
  t.equal((await rules(gw, demo))[0].hits, 1, 'one hit')
  const journal = (await gw.admin({ method: 'GET', url: `/admin/journal?status=503&merchant_id=${demo}` })).json().data
  t.same(journal.map((e: any) => [e.fault, e.rule_id]), [['http_503;4', r.id]], 'the journal names the rule')
  t.equal((await gw.admin({ method: 'DELETE', url: `/admin/rules/${r.id}` })).json().deleted, 1)
  t.same(await statuses(gw, 1), ['201'], 'deleted: no effect')
  const again = await gw.admin({ method: 'DELETE', url: `/admin/rules/${r.id}` })
  t.same([again.statusCode, again.json().error.code], [404, 'PAYLAB_RULE_NOT_FOUND'])
})

t.test('match on merchant_order_id glob, amount and a header', async (t) => {
  const gw = await gateway(t)
  const demo = gw.demo.merchant
  // Not `order-7*`: the helper's own ids are order-<pid>-<n>, and a pid starting with 7 matched them all.
  await rule(gw, { merchant_id: demo, match: { merchant_order_id: 'vip-7*' }, fault: 'connection_reset' })
  await rule(gw, { merchant_id: demo, match: { amount: 4321 }, fault: 'http_502' })
  await rule(gw, { merchant_id: demo, match: { header: { name: 'X-Test-Case', value: 'lost' } }, fault: 'empty_response' })
  const send = (body: Record<string, unknown>, headers: Record<string, string> = {}) => gw.call({ method: 'POST', path: '/v1/payments', body, headers })
  const seven = await send(gw.cardPayment(CARD, { merchant_order_id: 'vip-77' }))
  t.ok(!seven.ok && seven.error.syscall === 'read', 'vip-77: reset')
  t.ok((await send(gw.cardPayment(CARD, { merchant_order_id: 'vip-8' }))).ok, 'vip-8: untouched')
  const amount = await send(gw.cardPayment(CARD, { amount: 4321 }))
  t.equal(amount.ok && amount.status, 502, 'amount 4321: 502')
  const header = await send(gw.cardPayment(CARD), { 'x-test-case': 'lost' })
  t.ok(!header.ok && header.error.message === 'socket hang up', 'X-Test-Case: lost → empty response')
  t.ok((await send(gw.cardPayment(CARD), { 'x-test-case': 'other' })).ok, 'another header value: untouched')
  t.same((await rules(gw, demo)).map((r) => r.hits), [1, 1, 1])
})

t.test('an outcome rule shapes creates only, and `times` counts only those', async (t) => {
  const gw = await gateway(t)
  const demo = gw.demo.merchant
  const r = await rule(gw, { merchant_id: demo, outcome: 'decline:stolen_card', times: 2 })
  await gw.answer({ method: 'GET', path: '/v1/payments' })
  const results = []
  for (let i = 0; i < 3; i++) results.push((await gw.create(gw.cardPayment(CARD))).failure?.code ?? 'none')
  t.same(results, ['stolen_card', 'stolen_card', 'none'], 'the GET before used none of the two')
  t.equal((await rules(gw, demo)).find((x) => x.id === r.id).hits, 2)
  await rule(gw, { merchant_id: demo, match: { path: '/v1/payments' }, outcome: 'challenge:decline:insufficient_funds' })
  const wallet = await gw.create(methodPayment('wallet', 1000))
  await gw.cashier(wallet.id, { action: 'pass' })
  t.match(await gw.payment(wallet.id), { status: 'failed', failure: { code: 'insufficient_funds' } }, 'on a wallet too')
})

t.test('precedence: the header beats a rule, a rule beats a magic amount; the header does not use up the rule', async (t) => {
  const gw = await gateway(t)
  const demo = gw.demo.merchant
  const r = await rule(gw, { merchant_id: demo, fault: 'http_500', times: 1 })
  const headed = await gw.call({ method: 'POST', path: '/v1/payments', body: gw.cardPayment(CARD), headers: { 'paylab-scenario': 'http_429' } })
  t.equal(headed.ok && headed.status, 429, 'the header wins')
  t.equal((await rules(gw, demo))[0].hits, 0, 'and the rule was not spent')
  t.same(await statuses(gw, 1, gw.demo, () => methodPayment('wallet', 50502)), ['500'], 'the rule beats amount 50502')
  t.same(await statuses(gw, 1, gw.demo, () => methodPayment('wallet', 50502)), ['502'], 'spent: the amount applies')
  t.equal((await rules(gw, demo)).find((x) => x.id === r.id).hits, 1)
})

t.test("rules never touch another merchant's requests; reset removes one merchant's rules only", async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  const a = await addMerchant(gw)
  const b = await addMerchant(gw)
  await rule(gw, { merchant_id: a.merchant, fault: 'http_500' })
  await rule(gw, { merchant_id: a.merchant, outcome: 'decline:card_declined' })
  await rule(gw, { merchant_id: b.merchant, match: { path: '/v1/keys' }, fault: 'http_502' })
  const [ofA, ofB] = await Promise.all([statuses(gw, 3, a), statuses(gw, 3, b)])
  t.same(ofA, ['500', '500', '500'])
  t.same(ofB, ['201', '201', '201'], "A's catch-all never reached B")
  t.same((await rules(gw, a.merchant)).map((r) => r.hits), [3, 0], "A's hits are A's requests only")
  t.equal((await rules(gw)).length, 3, 'all merchants without a filter')
  const reset = await gw.admin({ method: 'DELETE', url: `/admin/rules?merchant_id=${a.merchant}` })
  t.equal(reset.json().deleted, 2)
  t.same(await statuses(gw, 1, a), ['201'], 'A is back to normal')
  t.same((await rules(gw, b.merchant)).map((r) => r.fault), ['http_502'], "B's rule stays")
  const keys = await gw.call({ method: 'GET', path: '/v1/keys' }, b)
  t.equal(keys.ok && keys.status, 502, "and still applies to B's requests")
})

t.test('probability with a seed: the same seed answers the same sequence on another gateway', async (t) => {
  const run = async () => {
    const gw = await live(t, PAYLAB_ONLY)
    await rule(gw, { merchant_id: 'demo', fault: 'http_503', probability: 0.5, seed: 1234 })
    const seq = await statuses(gw, 16, gw.demo, () => methodPayment('wallet', 1000))
    return { seq, hits: (await rules(gw, 'demo'))[0].hits }
  }
  const first = await run()
  const second = await run()
  t.same(second.seq, first.seq, first.seq.join(' '))
  t.ok(first.seq.includes('503') && first.seq.includes('201'), 'some of each')
  t.equal(first.hits, first.seq.filter((s) => s === '503').length, 'hits count what applied')
})

t.test('bad rules are refused with the field named', async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ merchant_id: 'nobody', fault: 'http_500' }, 'merchant_id'],
    [{ fault: 'http_500' }, 'merchant_id'],
    [{ merchant_id: 'demo' }, 'outcome'],
    [{ merchant_id: 'demo', fault: 'http_500', outcome: 'succeed' }, 'outcome'],
    [{ merchant_id: 'demo', fault: 'teapot' }, 'fault'],
    [{ merchant_id: 'demo', fault: 'delay;1e3' }, 'fault'],
    [{ merchant_id: 'demo', outcome: 'decline:nope' }, 'outcome'],
    [{ merchant_id: 'demo', fault: 'http_500', probability: 2 }, 'probability'],
    [{ merchant_id: 'demo', fault: 'http_500', times: 0 }, 'times']
  ]
  for (const [payload, field] of cases) {
    const res = await gw.admin({ method: 'POST', url: '/admin/rules', payload })
    t.same([res.statusCode, res.json().error.code, res.json().error.field], [400, 'PAYLAB_VALIDATION_FAILED', field], JSON.stringify(payload))
  }
  t.equal((await rules(gw)).length, 0, 'none was kept')
  const anonymous = await gw.app.inject({ method: 'POST', url: '/admin/rules', payload: { merchant_id: 'demo', fault: 'http_500' } })
  t.equal(anonymous.statusCode, 401, 'admin token required')
})
