// The gateway's ticker (Engine.tick) works through a crowd of tasks due at once in slices, each in
// a turn of the event loop of its own, so that requests are answered in between; every task still
// runs, in order, and a tick that finds one under way does not start a second.
import t from 'tap'
import { DEMO_MERCHANT_ID, Engine, type MutationRequest } from '../../gateway/engine/engine.js'
import { VirtualClock } from '../../gateway/engine/clock.js'
import type { CreatePaymentInput } from '../../gateway/engine/payments.js'
import { MemoryStore } from '../../gateway/store/memory-store.js'
import { testCrypto } from '../helpers/build.js'

const COUNT = 3000

t.test('a crowd of expiries runs in slices that let other work in, and all of it runs', async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1))
  const engine = await Engine.open({ store: new MemoryStore(), clock, crypto: testCrypto })
  t.teardown(() => engine.close())
  const creates: Array<Promise<{ status: number }>> = []
  for (let no = 0; no < COUNT; no++) {
    const input: CreatePaymentInput = { merchant_order_id: `o-${no}`, amount: 1000, currency: 'USD', method: { type: 'wallet', wallet: { provider: 'alipay' } }, expires_in: 60 }
    const req: MutationRequest = { merchantId: DEMO_MERCHANT_ID, method: 'POST', path: '/v1/payments', body: Buffer.from(JSON.stringify(input)), requestId: `req_${no}` }
    creates.push(engine.createPayment(req, input))
  }
  t.ok((await Promise.all(creates)).every((a) => a.status === 201))
  const waiting = (): number => engine.findPayments({ status: 'requires_action', limit: Infinity }).length
  t.equal(waiting(), COUNT)

  clock.advance(61_000) // every wait is now due to expire; the clock alone runs nothing
  engine.tick()
  const afterFirst = waiting()
  t.ok(afterFirst > 0 && afterFirst < COUNT, `the first slice expired some (${COUNT - afterFirst}), not all, and gave the event loop back`)
  engine.tick() // a tick while one is under way starts no second run
  let turns = 0
  let inBetween = false
  const due = (): boolean => {
    const next = engine.clockState().next_due
    return next !== null && Date.parse(next) <= clock.now()
  }
  // Expiries make notifications, due at once: those run in the following slices too.
  while (due() && turns < 100_000) {
    await new Promise((resolve) => setImmediate(resolve))
    // Work queued now runs between two slices.
    if (waiting() > 0) inBetween = true
    turns++
  }
  t.equal(waiting(), 0, 'every wait expired')
  t.ok(turns > 1 && inBetween, 'over several turns of the event loop')
  const statuses = new Set(engine.findPayments({ limit: Infinity }).map((p) => p.status))
  t.same([...statuses], ['canceled'], 'as expiry leaves them')
  t.notOk(due(), 'nothing is left due')
})
