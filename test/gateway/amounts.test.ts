// Magic amounts over a real socket, for the methods without a card number: wallets and bank
// transfers (after the buyer acts on the hosted page) and the source document's /pay. Together
// they reach every business outcome: success, each decline code, and processing either way.
import t from 'tap'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { DECLINE_MESSAGES, MAGIC_AMOUNTS, type Outcome } from '../../gateway/engine/outcomes.js'
import { orderId, PAYLAB_ONLY } from '../helpers/build.js'
import { live, methodPayment, sharedLive, type LiveGateway } from '../helpers/live.js'

// One listening gateway for the file; each test is a merchant of its own on it (helpers/live.ts).
const gateway = sharedLive(PAYLAB_ONLY)

const METHODS = ['wallet', 'bank_transfer'] as const

/** Where a payment ends once the buyer passed (and the clock ran), as the outcome says. */
function expected (o: Outcome): { status: string, failure: unknown } {
  const last = o.kind === 'processing' || o.kind === 'challenge' ? o.then : o
  return last.kind === 'decline'
    ? { status: 'failed', failure: { code: last.code, message: DECLINE_MESSAGES[last.code] } }
    : { status: 'succeeded', failure: null }
}

async function settle (gw: LiveGateway, p: any): Promise<any> {
  if (p.status === 'requires_action') await gw.cashier(p.id, { action: 'pass' })
  else await gw.advance(`${gw.engine.config.processingDelaySec}s`)
  return await gw.payment(p.id)
}

t.test('the amounts reach every decline code and both ends of processing', async (t) => {
  const outcomes = Object.values(MAGIC_AMOUNTS)
  for (const code of Object.keys(DECLINE_MESSAGES)) {
    t.ok(outcomes.some((o) => o.kind === 'decline' && o.code === code), `decline ${code}`)
  }
  t.ok(outcomes.some((o) => o.kind === 'processing' && o.then.kind === 'succeed'), 'processing, then success')
  t.ok(outcomes.some((o) => o.kind === 'processing' && o.then.kind === 'decline'), 'processing, then failure')
  t.same(MAGIC_AMOUNTS[40051], { kind: 'decline', code: 'insufficient_funds' }, 'the amount integrators learn first')
})

for (const type of METHODS) {
  t.test(`${type}: each magic amount ends as the table says once the buyer approves`, async (t) => {
    const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock() })
    for (const [minor, outcome] of Object.entries(MAGIC_AMOUNTS)) {
      const created = await gw.create(methodPayment(type, Number(minor)))
      t.equal(created.status, outcome.kind === 'processing' ? 'processing' : 'requires_action', `${minor}: first status`)
      if (created.status === 'requires_action') t.match(created.next_action?.url, `/cashier/${created.id}`, `${minor}: sent to the cashier`)
      t.match(await settle(gw, created), expected(outcome), `${minor}: final`)
    }
  })

  t.test(`${type}: an ordinary amount waits for the buyer; approve succeeds, decline fails payment_declined`, async (t) => {
    const gw = await gateway(t)
    const approved = await gw.create(methodPayment(type, 12345))
    t.same([approved.status, approved.next_action?.type], ['requires_action', 'redirect'])
    await gw.cashier(approved.id, { action: 'pass' })
    t.match(await gw.payment(approved.id), { status: 'succeeded', amount_captured: 12345 })
    const declined = await gw.create(methodPayment(type, 12345))
    await gw.cashier(declined.id, { action: 'fail' })
    t.match(await gw.payment(declined.id), { status: 'failed', failure: { code: 'payment_declined' } })
    const magicDeclined = await gw.create(methodPayment(type, 40051))
    await gw.cashier(magicDeclined.id, { action: 'fail' })
    t.match(await gw.payment(magicDeclined.id), { status: 'failed', failure: { code: 'payment_declined' } },
      "the buyer's refusal comes before the amount's outcome")
  })
}

t.test('magic amounts work in any currency, in minor units', async (t) => {
  const gw = await gateway(t)
  for (const currency of ['JPY', 'KWD', 'EUR']) {
    const p = await gw.create(methodPayment('wallet', 40041, { currency }))
    await gw.cashier(p.id, { action: 'pass' })
    t.match(await gw.payment(p.id), { status: 'failed', failure: { code: 'lost_card' } }, currency)
  }
})

t.test('/pay: each magic amount answers as the table says, over HTTP', async (t) => {
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock() })
  const processing: Array<[string, Outcome]> = []
  for (const [minor, outcome] of Object.entries(MAGIC_AMOUNTS)) {
    const amount = Number(minor) / 100
    const res = await gw.pay({ user_id: 'u-1', order_id: orderId(), amount, currency: 'USD' })
    if (!res.ok) { t.fail(`${minor}: no answer`); continue }
    t.equal(res.status, 200, `${minor}: ${res.text}`)
    const body = res.json()
    if (outcome.kind === 'decline') {
      t.same([body.status, body.code, body.message], ['failed', outcome.code, DECLINE_MESSAGES[outcome.code]], minor)
    } else {
      t.equal(body.status, 'processing', minor)
      processing.push([body.payment_id, outcome])
    }
  }
  t.ok(processing.length >= 2, 'some amounts go processing')
  await gw.advance('30s')
  for (const [id, outcome] of processing) {
    t.match(gw.engine.getPayment('seed', id), expected(outcome), `${id} resolved on the clock`)
  }
  const plain = await gw.pay({ user_id: 'u-1', order_id: orderId(), amount: 100, currency: 'USD' })
  t.equal(plain.ok && plain.json().status, 'success', 'an ordinary amount succeeds at once')
})
