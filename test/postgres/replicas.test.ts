// Two gateways on one PostgreSQL database, a client spreading its requests across them: they
// behave as one gateway (docs/postgres.md). A real PostgreSQL (test/helpers/postgres.ts).
import t, { type Test } from 'tap'
import { live, type LiveGateway } from '../helpers/live.js'
import { orderId } from '../helpers/build.js'
import { nonce } from '../helpers/signer.js'
import { startPostgres } from '../helpers/postgres.js'
import { receiver } from '../helpers/receiver.js'

const pg = await startPostgres()
t.teardown(() => pg.stop())

const plainCard = { number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' }
const createBody = (order = orderId(), amount = 1999) => ({ merchant_order_id: order, amount, currency: 'USD', method: { type: 'card', card: plainCard } })

async function replicas (t: Test, n: number): Promise<LiveGateway[]> {
  const url = pg.freshSchemaUrl()
  const out: LiveGateway[] = []
  // One after the other first (the first applies the migrations), then concurrently makes no difference.
  for (let i = 0; i < n; i++) out.push(await live(t, { databaseUrl: url, config: { allowPlaintextCards: true } }))
  return out
}

t.test('200 concurrent creates of one merchant_order_id across two replicas make one payment', async (t) => {
  const [a, b] = await replicas(t, 2) as [LiveGateway, LiveGateway]
  const order = orderId()
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).answer({ method: 'POST', path: '/v1/payments', body: createBody(order) })))
  const statuses = answers.map((r) => r.status)
  t.equal(statuses.filter((s) => s === 201).length, 1, 'one create made it')
  t.equal(statuses.filter((s) => s === 200).length, 199, 'every other one is answered as a repeat of it')
  const ids = new Set(answers.map((r) => r.json().id))
  t.equal(ids.size, 1, 'every answer names the same payment')
  const [id] = [...ids] as [string]
  t.equal((await a.payment(id)).id, id, 'replica A serves it')
  t.equal((await b.payment(id)).id, id, 'replica B serves it')
  const listed = await b.answer({ method: 'GET', path: '/v1/payments?limit=100' })
  t.equal(listed.json().data.filter((p: { merchant_order_id: string }) => p.merchant_order_id === order).length, 1, 'one payment in the list')
  // A different amount with the same order id is a conflict on either replica.
  const conflict = await b.answer({ method: 'POST', path: '/v1/payments', body: createBody(order, 2500) })
  t.equal(conflict.json().error.code, 'PAYLAB_ORDER_ID_CONFLICT')
})

t.test('a write answered by one replica is seen by the next request to the other', async (t) => {
  const [a, b] = await replicas(t, 2) as [LiveGateway, LiveGateway]
  for (let i = 0; i < 20; i++) {
    const [from, to] = i % 2 === 0 ? [a, b] : [b, a]
    const made = await from.create(createBody())
    t.equal((await to.payment(made.id)).status, made.status, `payment ${i} read on the other replica`)
  }
})

t.test('the same nonce sent to two replicas at once is accepted once', async (t) => {
  const [a, b] = await replicas(t, 2) as [LiveGateway, LiveGateway]
  for (let round = 0; round < 10; round++) {
    const n = nonce()
    const both = await Promise.all([a, b].map((gw) => gw.answer({ method: 'POST', path: '/v1/payments', body: createBody(), nonce: n })))
    const codes = both.map((r) => r.status === 201 ? 'created' : r.json().error?.code as string)
    t.same(codes.sort(), ['PAYLAB_REPLAYED_REQUEST', 'created'], `round ${round}: one accepted, one refused as a replay`)
  }
  // And sent later to the replica that did not take it.
  const n = nonce()
  t.equal((await a.answer({ method: 'POST', path: '/v1/payments', body: createBody(), nonce: n })).status, 201)
  t.equal((await b.answer({ method: 'POST', path: '/v1/payments', body: createBody(), nonce: n })).json().error.code, 'PAYLAB_REPLAYED_REQUEST')
})

t.test('one Idempotency-Key across replicas: one effect, the same answer replayed', async (t) => {
  const [a, b] = await replicas(t, 2) as [LiveGateway, LiveGateway]
  const body = createBody()
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).answer({ method: 'POST', path: '/v1/payments', body, idempotencyKey: 'key-1' })))
  t.same(new Set(answers.map((r) => r.status)), new Set([201]), 'the first answer (201) for every one')
  t.equal(new Set(answers.map((r) => r.json().id)).size, 1, 'one payment')
  t.equal(answers.filter((r) => r.headers['paylab-idempotent-replayed'] === 'true').length, 39, 'all but one replayed')
})

t.test('refunds across replicas: one merchant_refund_id makes one refund, and no more is refunded than was paid', async (t) => {
  const [a, b] = await replicas(t, 2) as [LiveGateway, LiveGateway]
  const [p, q, r] = await Promise.all([createBody(), createBody(), createBody()].map(async (body) => await a.create(body))) as Array<{ id: string, amount: number }>
  const refund = (gw: LiveGateway, id: string, body: Record<string, unknown>) => gw.answer({ method: 'POST', path: `/v1/payments/${id}/refunds`, body })
  // One reference sent for two payments at once, one payment's through each replica: the two
  // commits touch no common record, only the reference's unique key in the database keeps it one refund.
  const ref = `ref-${orderId()}`
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => refund(i % 2 === 0 ? a : b, i % 2 === 0 ? p!.id : q!.id, { merchant_refund_id: ref, amount: 500 })))
  const made = answers.filter((res) => res.status === 201)
  t.equal(made.length, 1, 'one refund made')
  const owner = made[0]?.json().payment_id as string
  for (const [i, res] of answers.entries()) {
    const forOwner = (i % 2 === 0 ? p!.id : q!.id) === owner
    const got = res.status === 201 || res.status === 200 ? `refund of ${res.json().payment_id as string}` : res.json().error?.code as string
    if (got !== (forOwner ? `refund of ${owner}` : 'PAYLAB_REFUND_ID_CONFLICT')) t.fail(`request ${i}: ${res.status} ${got}`)
  }
  t.pass('the same payment\'s requests get that refund, the other payment\'s a PAYLAB_REFUND_ID_CONFLICT')
  // Full refunds of one payment, each with its own reference, through both replicas at once.
  const full = await Promise.all(Array.from({ length: 20 }, (_, i) => refund(i % 2 === 0 ? a : b, r!.id, { merchant_refund_id: `full-${i}-${orderId()}` })))
  t.equal(full.filter((res) => res.status === 201).length, 1, 'one full refund')
  t.same(new Set(full.filter((res) => res.status !== 201).map((res) => res.json().error?.code)), new Set(['PAYLAB_REFUND_AMOUNT_EXCEEDED']), 'every other one: nothing left to refund')
  for (const gw of [a, b]) t.equal((await gw.payment(r!.id)).amount_refunded, r!.amount, 'refunded once, on both replicas')
})

t.test('a rule made on one replica applies on all, and times: 3 fires 3 times in all', async (t) => {
  const [a, b, c] = await replicas(t, 3) as [LiveGateway, LiveGateway, LiveGateway]
  const made = await a.admin({ method: 'POST', url: '/admin/rules', payload: { merchant_id: 'demo', match: { method: 'POST', path: '/v1/payments' }, fault: 'http_503', times: 3 } })
  t.equal(made.statusCode, 201)
  const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => [a, b, c][i % 3]!.answer({ method: 'POST', path: '/v1/payments', body: createBody() })))
  t.equal(answers.filter((r) => r.status === 503).length, 3, 'three requests got the rule\'s 503')
  t.equal(answers.filter((r) => r.status === 201).length, 57, 'every other one was processed')
  const listed = (await c.admin({ method: 'GET', url: '/admin/rules?merchant_id=demo' })).json()
  t.equal(listed.data[0].hits, 3, 'the hit count every replica sees')
  const deleted = await b.admin({ method: 'DELETE', url: `/admin/rules/${made.json().id as string}` })
  t.equal(deleted.statusCode, 200, 'deleted on another replica')
  t.same((await a.admin({ method: 'GET', url: '/admin/rules?merchant_id=demo' })).json().data, [], 'gone on the first')
})

t.test('the virtual clock is one clock: advanced on one replica, it has moved on the other', async (t) => {
  const { VirtualClock } = await import('../../gateway/engine/clock.js')
  const url = pg.freshSchemaUrl()
  const a = await live(t, { databaseUrl: url, clock: new VirtualClock(Date.parse('2030-01-01T00:00:00Z')), config: { allowPlaintextCards: true } })
  const b = await live(t, { databaseUrl: url, clock: new VirtualClock(), config: { allowPlaintextCards: true } })
  t.equal((await b.admin({ method: 'GET', url: '/admin/clock' })).json().now, '2030-01-01T00:00:00.000Z', 'the second replica takes the first one\'s time')
  // A payment waiting for the buyer expires on the gateway clock (15 min by default).
  const made = await a.create({ merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'wallet', wallet: { provider: 'alipay' } } })
  t.equal(made.status, 'requires_action')
  await b.advance('16m')
  t.equal((await a.admin({ method: 'GET', url: '/admin/clock' })).json().now, '2030-01-01T00:16:00.000Z', 'moved on the other replica too')
  t.equal((await a.payment(made.id)).status, 'canceled', 'the expiry fired (once, on the replica that advanced)')
})

t.test('every notification attempt is made once, by one replica, retries included', async (t) => {
  const rx = await receiver(t)
  // The first attempt of each event fails; the retry (1 s later, on whichever replica takes it) is acknowledged.
  rx.answer = (req) => rx.of(req.headers['paylab-event-id'] as string).length === 1 ? 500 : 200
  const url = pg.freshSchemaUrl()
  const config = { allowPlaintextCards: true, notifyRetrySchedule: [1] }
  const a = await live(t, { databaseUrl: url, config })
  const b = await live(t, { databaseUrl: url, config })
  const n = 30
  await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? a : b).create({ ...createBody(), notify_url: rx.url })))
  const received = await rx.waitFor(2 * n, 15_000)
  const perEvent = new Map<string, number>()
  for (const r of received) perEvent.set(r.headers['paylab-event-id'] as string, (perEvent.get(r.headers['paylab-event-id'] as string) ?? 0) + 1)
  t.equal(perEvent.size, n, 'one event per payment')
  t.same(new Set(perEvent.values()), new Set([2]), 'each event got exactly its two attempts')
  // Nothing more comes: every event is recorded delivered, on both replicas.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal(rx.requests.length, 2 * n, 'no attempt made twice')
  for (const gw of [a, b]) {
    const events = (await gw.admin({ method: 'GET', url: '/admin/events?limit=100' })).json().data as Array<{ status: string, attempts: unknown[] }>
    t.same(events.map((e) => [e.status, e.attempts.length]), Array.from({ length: n }, () => ['delivered', 2]), 'delivered after two attempts')
  }
})

t.test('due work taken by two replicas at the same instant fires once: one expiry, one event, one notification each', async (t) => {
  const { VirtualClock } = await import('../../gateway/engine/clock.js')
  const rx = await receiver(t)
  const url = pg.freshSchemaUrl()
  const start = Date.parse('2030-01-01T00:00:00Z')
  const clocks = [new VirtualClock(start), new VirtualClock()] as const
  const a = await live(t, { databaseUrl: url, clock: clocks[0], config: { allowPlaintextCards: true } })
  const b = await live(t, { databaseUrl: url, clock: clocks[1], config: { allowPlaintextCards: true } })
  const n = 10
  const made = await Promise.all(Array.from({ length: n }, async (_, i) => (i % 2 === 0 ? a : b).create({ merchant_order_id: orderId(), amount: 1999, currency: 'USD', notify_url: rx.url, method: { type: 'wallet', wallet: { provider: 'alipay' } } })))
  t.same(new Set(made.map((p: { status: string }) => p.status)), new Set(['requires_action']))
  // A request to each: both have caught up, so both hold the same n expiry tasks.
  for (const gw of [a, b]) t.equal((await gw.admin({ method: 'GET', url: '/admin/clock' })).json().next_due, '2030-01-01T00:15:00.000Z', 'the expiries are due in 15 min on both')
  // The race the tickers run into only by chance, made certain: both clocks pass the expiries and
  // both replicas take the due tasks in the same turn of the event loop, before either commits.
  for (const clock of clocks) clock.set(start + 16 * 60_000)
  // Each expiry makes a payment.expired event whose first attempt is due at once: the same loop takes it.
  t.same([a.engine.runDue(), b.engine.runDue()], [2 * n, 2 * n], 'each replica ran all n due expiries, and the first attempts of the events they made')
  const expired = (): number => rx.requests.filter((r) => r.json().type === 'payment.expired').length
  for (let i = 0; i < 100 && expired() < n; i++) await new Promise((resolve) => setTimeout(resolve, 100))
  await new Promise((resolve) => setTimeout(resolve, 1500)) // two ticks of each replica: anything made twice would be sent by now
  t.equal(expired(), n, 'one payment.expired notification per payment')
  t.equal(new Set(rx.requests.filter((r) => r.json().type === 'payment.expired').map((r) => r.headers['paylab-event-id'])).size, n, 'for n distinct events')
  const wrong: string[] = []
  for (const gw of [a, b]) {
    for (const p of made as Array<{ id: string }>) {
      const events = (await gw.admin({ method: 'GET', url: `/admin/events?payment_id=${p.id}` })).json().data as Array<{ type: string, status: string }>
      const ofExpiry = events.filter((e) => e.type === 'payment.expired').map((e) => e.status)
      if (ofExpiry.length !== 1 || ofExpiry[0] !== 'delivered') wrong.push(`${p.id}: payment.expired events ${JSON.stringify(ofExpiry)}`)
      const payment = await gw.payment(p.id)
      if (payment.status !== 'canceled' || payment.cancellation_reason !== 'expired') wrong.push(`${p.id} is ${String(payment.status)}`)
    }
  }
  t.same(wrong, [], 'on both replicas: every payment expired, with one payment.expired event, delivered')
})
