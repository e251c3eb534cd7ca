// Notification attempts outside the scheduler's own leases, with replicas on one PostgreSQL
// database: before_answer attempts, out_of_order holds released by another replica, deliver-due
// and resend. A receiver counts what arrives: each attempt is made by exactly one replica.
import t, { type Test } from 'tap'
import { live, type LiveGateway } from '../helpers/live.js'
import { orderId } from '../helpers/build.js'
import { startPostgres } from '../helpers/postgres.js'
import { receiver, type Receiver } from '../helpers/receiver.js'
import { PostgresStore } from '../../gateway/store/postgres/postgres-store.js'
import { StoreConflict } from '../../gateway/engine/store-conflict.js'
import type { Change } from '../../gateway/engine/db.js'

const pg = await startPostgres()
t.teardown(() => pg.stop())

const plainCard = { number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' }
const createBody = (rx: Receiver, extra: Record<string, unknown> = {}) => ({ merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'card', card: plainCard }, notify_url: rx.url, ...extra })

async function replicas (t: Test, n: number, config: Record<string, unknown> = {}): Promise<LiveGateway[]> {
  const url = pg.freshSchemaUrl()
  const out: LiveGateway[] = []
  for (let i = 0; i < n; i++) out.push(await live(t, { databaseUrl: url, config: { allowPlaintextCards: true, ...config } }))
  return out
}

const perEvent = (rx: Receiver): Map<string, number> => {
  const out = new Map<string, number>()
  for (const r of rx.requests) out.set(r.headers['paylab-event-id'] as string, (out.get(r.headers['paylab-event-id'] as string) ?? 0) + 1)
  return out
}

t.test('before_answer: one attempt, made before the answer, even when concurrent creates conflict and run again', async (t) => {
  const rx = await receiver(t)
  const [a, b, c] = await replicas(t, 3) as [LiveGateway, LiveGateway, LiveGateway]
  const order = orderId()
  const body = { ...createBody(rx), merchant_order_id: order, metadata: { paylab_notification: 'before_answer' } }
  const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => [a, b, c][i % 3]!.answer({ method: 'POST', path: '/v1/payments', body })))
  t.equal(answers.filter((r) => r.status === 201).length, 1, 'one payment made')
  t.ok(rx.requests.length >= 1, 'its event arrived before the answers')
  // Anything sent by a run whose commit was refused would be here by now (it is sent before its answer).
  await a.admin({ method: 'GET', url: '/admin/events?limit=1' })
  t.equal(rx.requests.length, 1, 'exactly one attempt in all, for the one event stored')
  const [event] = (await b.admin({ method: 'GET', url: '/admin/events?limit=10' })).json().data as Array<{ id: string, status: string }>
  t.equal(rx.requests[0]?.headers['paylab-event-id'], event?.id, 'for the event every replica lists')
})

t.test('an out_of_order event held by one replica is released by the next event, made on another', async (t) => {
  const rx = await receiver(t)
  const [a, b] = await replicas(t, 2) as [LiveGateway, LiveGateway]
  const made = await a.create(createBody(rx, { capture: 'manual', metadata: { paylab_notification: 'out_of_order' } }))
  t.equal(made.status, 'authorized')
  t.equal((await b.answer({ method: 'POST', path: `/v1/payments/${made.id as string}/capture`, body: {} })).status, 200, 'captured on B')
  // Released at once, not after its 60 s hold.
  await rx.waitFor(2, 10_000)
  t.same(rx.requests.map((r) => r.json().type), ['payment.captured', 'payment.authorized'], 'the later event first, then the held one')
  await new Promise((resolve) => setTimeout(resolve, 1500)) // two ticks of each replica
  t.equal(rx.requests.length, 2, 'each sent once')
})

t.test('deliver-due on two replicas at once: one more attempt per event, by one of them', async (t) => {
  const rx = await receiver(t)
  // The first attempt of each event fails; its retry is an hour away.
  rx.answer = (req) => rx.of(req.headers['paylab-event-id'] as string).length === 1 ? 500 : 200
  const [a, b] = await replicas(t, 2, { notifyRetrySchedule: [3600] })
  if (a === undefined || b === undefined) throw new Error('no replicas')
  const n = 20
  await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? a : b).create(createBody(rx))))
  await rx.waitFor(n, 10_000)
  for (let i = 0; i < 50 && (await a.admin({ method: 'GET', url: '/admin/events?limit=100' })).json().data.some((e: { attempts: unknown[] }) => e.attempts.length === 0); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100)) // the first attempts are recorded
  }
  const [onA, onB] = await Promise.all([a, b].map(async (gw) => (await gw.admin({ method: 'POST', url: '/admin/events/deliver-due', payload: {} })).json().attempted as number))
  t.equal((onA ?? 0) + (onB ?? 0), n, `${n} attempts claimed between them (${onA ?? 0} + ${onB ?? 0})`)
  t.equal(rx.requests.length, 2 * n, 'the receiver got one more attempt per event')
  t.same(new Set(perEvent(rx).values()), new Set([2]), 'two attempts for each event')
  const events = (await b.admin({ method: 'GET', url: '/admin/events?limit=100' })).json().data as Array<{ status: string, attempts: unknown[] }>
  t.same(new Set(events.map((e) => `${e.status} ${e.attempts.length}`)), new Set(['delivered 2']), 'each recorded delivered, on the other replica too')
})

t.test('resend on one replica of an event another made: one attempt, recorded for all', async (t) => {
  const rx = await receiver(t)
  const [a, b] = await replicas(t, 2)
  if (a === undefined || b === undefined) throw new Error('no replicas')
  const made = await a.create(createBody(rx))
  await rx.waitFor(1, 10_000)
  const id = rx.requests[0]?.headers['paylab-event-id'] as string
  for (let i = 0; i < 50 && (await a.admin({ method: 'GET', url: `/admin/events/${id}` })).json().status !== 'delivered'; i++) await new Promise((resolve) => setTimeout(resolve, 100))
  const resent = await b.admin({ method: 'POST', url: `/admin/events/${id}/resend` })
  t.equal(resent.json().attempts.length, 2, 'B made the second attempt')
  t.equal(rx.requests.length, 2, 'the receiver got it once')
  t.equal((await a.admin({ method: 'GET', url: `/admin/events/${id}` })).json().attempts.length, 2, 'A sees the attempt B made')
  t.equal(made.status, 'succeeded')
})

t.test('deliver-due that other replicas keep beating to the leases: 503 with its code, not a 500', async (t) => {
  const rx = await receiver(t)
  /** A replica whose commits the database refuses, as when others keep changing the same records first. */
  class Outpaced extends PostgresStore {
    refusing = false
    override append (changes: Change[]): Promise<void> {
      return this.refusing ? Promise.reject(new StoreConflict('paylab: tasks changed under this commit', 'tasks', 'x')) : super.append(changes)
    }
  }
  const store = new Outpaced({ url: pg.freshSchemaUrl(), pruneEveryMs: Infinity })
  const gw = await live(t, { store, config: { allowPlaintextCards: true } })
  await gw.create(createBody(rx, { metadata: { paylab_notification: 'delay;1h' } }))
  store.refusing = true
  const res = await gw.admin({ method: 'POST', url: '/admin/events/deliver-due', payload: {} })
  store.refusing = false
  t.same([res.statusCode, res.json().error?.code], [503, 'PAYLAB_STORAGE_UNAVAILABLE'], 'refused, retry later')
  t.equal(rx.requests.length, 0, 'nothing sent')
  const again = await gw.admin({ method: 'POST', url: '/admin/events/deliver-due', payload: {} })
  t.same([again.statusCode, again.json().attempted], [200, 1], 'and made once the database takes it')
  await rx.waitFor(1, 10_000)
  // A resend whose record the database keeps refusing: sent, but the answer says it is not recorded.
  store.refusing = true
  const resent = await gw.admin({ method: 'POST', url: `/admin/events/${rx.requests[0]?.headers['paylab-event-id'] as string}/resend` })
  store.refusing = false
  t.same([resent.statusCode, resent.json().error?.code], [503, 'PAYLAB_STORAGE_UNAVAILABLE'], 'a resend that cannot be recorded: 503, not a 500')
})

t.test('before_answer: no attempt for an event whose commit is refused, even when another request of the replica lands first', async (t) => {
  const rx = await receiver(t)
  const [x, y] = [orderId(), orderId()]
  /** Holds the commit of X until Y's arrives; Y's first is refused (another gateway got there first), after X's landed. */
  class Interleaved extends PostgresStore {
    #releaseX: (() => void) | undefined
    #refusedY = false
    override append (changes: Change[]): Promise<void> {
      const text = JSON.stringify(changes)
      if (text.includes(x) && this.#releaseX === undefined && !this.#refusedY) {
        return new Promise<void>((resolve) => { this.#releaseX = resolve }).then(() => super.append(changes))
      }
      if (text.includes(y) && !this.#refusedY) {
        this.#refusedY = true
        this.#releaseX?.()
        return new Promise((resolve) => setTimeout(resolve, 200)).then(() => { throw new StoreConflict('paylab: payments changed under this commit') })
      }
      return super.append(changes)
    }
  }
  const store = new Interleaved({ url: pg.freshSchemaUrl(), pruneEveryMs: Infinity })
  const gw = await live(t, { store, config: { allowPlaintextCards: true } })
  const first = gw.create({ ...createBody(rx), merchant_order_id: x })
  await new Promise((resolve) => setTimeout(resolve, 50)) // X's commit is under way
  const second = await gw.create({ ...createBody(rx), merchant_order_id: y, metadata: { paylab_notification: 'before_answer' } })
  await first
  await rx.waitFor(2, 10_000) // X's scheduled event and Y's
  await new Promise((resolve) => setTimeout(resolve, 300))
  const ofY = rx.requests.filter((r) => r.json().data.object.merchant_order_id === y)
  const stored = (await gw.admin({ method: 'GET', url: `/admin/events?payment_id=${second.id as string}` })).json().data as Array<{ id: string }>
  t.same(ofY.map((r) => r.headers['paylab-event-id']), stored.map((e) => e.id), 'one attempt for Y, of the event that was stored')
})

t.test('an out_of_order event whose hold just ended is not released again by the next event on another replica', async (t) => {
  const rx = await receiver(t)
  const { VirtualClock } = await import('../../gateway/engine/clock.js')
  const url = pg.freshSchemaUrl()
  const a = await live(t, { databaseUrl: url, clock: new VirtualClock(), config: { allowPlaintextCards: true } })
  const b = await live(t, { databaseUrl: url, clock: new VirtualClock(), config: { allowPlaintextCards: true } })
  const made = await a.create(createBody(rx, { capture: 'manual', metadata: { paylab_notification: 'out_of_order' } }))
  // A's attempt of the held event, once its hold ends, is answered only after B has made the next event.
  let answer!: (status: number) => void
  const later = new Promise<number>((resolve) => { answer = resolve })
  rx.answer = (req) => req.json().type === 'payment.authorized' && rx.of(req.headers['paylab-event-id'] as string).length === 1 ? later : 200
  const advanced = a.advance('61s')
  await rx.waitFor(1, 10_000)
  t.equal(rx.requests[0]?.json().type, 'payment.authorized', 'A is making the attempt of the held event (its lease committed)')
  t.equal((await b.answer({ method: 'POST', path: `/v1/payments/${made.id as string}/capture`, body: {} })).status, 200, 'captured on B meanwhile')
  await rx.waitFor(2, 10_000)
  answer(200)
  await advanced
  await new Promise((resolve) => setTimeout(resolve, 1500)) // two ticks of each replica
  t.same(rx.requests.map((r) => r.json().type).sort(), ['payment.authorized', 'payment.captured'], 'each event sent once')
  const events = (await b.admin({ method: 'GET', url: `/admin/events?payment_id=${made.id as string}` })).json().data as Array<{ type: string, status: string, attempts: unknown[] }>
  t.same(events.map((e) => `${e.type} ${e.status} ${e.attempts.length}`).sort(), ['payment.authorized delivered 1', 'payment.captured delivered 1'], 'and recorded once')
})
