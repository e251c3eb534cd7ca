// A seeded `probability` rule decides the same on one gateway and on three replicas of one
// PostgreSQL database: its place in the seeded sequence is shared (shared-rules.ts).
import t, { type Test } from 'tap'
import { live, type LiveGateway } from '../helpers/live.js'
import { orderId } from '../helpers/build.js'
import { startPostgres } from '../helpers/postgres.js'
import { MemoryStore } from '../../gateway/store/memory-store.js'
import { randomAt, RuleBook } from '../../gateway/engine/rules.js'

const pg = await startPostgres()
t.teardown(() => pg.stop())

const plainCard = { number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' }
const config = { allowPlaintextCards: true }
const rule = (kind: 'fault' | 'notification') => kind === 'fault'
  ? { merchant_id: 'demo', match: { method: 'GET', path: '/v1/payments/*' }, fault: 'http_503', probability: 0.5, seed: 20261130 }
  : { merchant_id: 'demo', notification: 'drop', probability: 0.4, seed: 77 }

/** The 503s of 40 queries sent one after the other, round robin over `gws`, and the rule's hits. */
async function pattern (t: Test, gws: LiveGateway[]): Promise<{ seen: string, hits: number }> {
  const first = gws[0] as LiveGateway
  const made = await first.create({ merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'card', card: plainCard } })
  t.equal((await first.admin({ method: 'POST', url: '/admin/rules', payload: rule('fault') })).statusCode, 201, 'the rule is made')
  let seen = ''
  for (let i = 0; i < 40; i++) {
    const res = await (gws[i % gws.length] as LiveGateway).answer({ method: 'GET', path: `/v1/payments/${made.id as string}` })
    seen += res.status === 503 ? 'x' : '.'
  }
  const hits = (await (gws.at(-1) as LiveGateway).admin({ method: 'GET', url: '/admin/rules?merchant_id=demo' })).json().data[0].hits as number
  return { seen, hits }
}

async function replicas (t: Test, n: number): Promise<LiveGateway[]> {
  const url = pg.freshSchemaUrl()
  const out: LiveGateway[] = []
  for (let i = 0; i < n; i++) out.push(await live(t, { databaseUrl: url, config }))
  return out
}

t.test('the same seeded decisions on one embedded gateway and on three replicas', async (t) => {
  const alone = await pattern(t, [await live(t, { store: new MemoryStore(), config })])
  const three = await pattern(t, await replicas(t, 3))
  t.match(alone.seen, /x/, 'some queries got the 503')
  t.match(alone.seen, /\./, 'and some did not')
  t.equal(three.seen, alone.seen, 'three replicas decide query by query as one gateway does')
  t.equal(three.hits, alone.hits, 'with the same hit count')
  t.equal(alone.hits, [...alone.seen].filter((c) => c === 'x').length, 'a hit per 503')
})

t.test('the n-th number computed from the seed is the n-th number of the seeded sequence', async (t) => {
  // What the embedded store draws (rules.ts seeded) against what a shared store computes.
  for (const seed of [0, 1, 42, 20261130, 2 ** 31 - 1]) {
    const book = new RuleBook()
    const probe = book.add({ merchant_id: 'm', fault: 'http_503', probability: 0.5, seed }, '')
    const decisions = Array.from({ length: 64 }, () => book.evaluate({ merchantId: 'm', method: 'GET', path: '/', headers: {} }).fault !== undefined)
    t.same(decisions, Array.from({ length: 64 }, (_, i) => randomAt(seed, i + 1) < 0.5), `the same 64 decisions for seed ${seed}`)
    t.equal(probe.hits, decisions.filter(Boolean).length)
  }
})

t.test('notification rules with a probability decide the same on replicas too', async (t) => {
  const outcomes = async (gws: LiveGateway[]): Promise<string> => {
    await (gws[0] as LiveGateway).admin({ method: 'POST', url: '/admin/rules', payload: rule('notification') })
    let out = ''
    for (let i = 0; i < 20; i++) {
      await (gws[i % gws.length] as LiveGateway).create({ merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'card', card: plainCard } })
    }
    const events = (await (gws[0] as LiveGateway).admin({ method: 'GET', url: '/admin/events?limit=100' })).json().data as Array<{ status: string }>
    for (const e of events.reverse()) out += e.status === 'dropped' ? 'd' : '.'
    return out
  }
  const alone = await outcomes([await live(t, { store: new MemoryStore(), config })])
  t.match(alone, /d/, 'some events dropped')
  t.equal(await outcomes(await replicas(t, 3)), alone, 'the same events dropped on three replicas')
})
