// Seeded stores for the benchmark: COUNT payments created through the engine in-process, then
// closed, with the gateway's modules of dist/ (bench/dist.ts). bench/server.ts runs this in a child process (`seed DIR COUNT [DIR COUNT …]`), one
// process for every store the run needs.
import type { MutationRequest } from '../gateway/engine/engine.js'
import type { CreatePaymentInput } from '../gateway/engine/payments.js'
import type { NotificationTransport } from '../gateway/engine/outbox.js'
import { fromDist } from './dist.js'

const { DEMO_MERCHANT_ID, Engine } = await fromDist<typeof import('../gateway/engine/engine.js')>('gateway/engine/engine.js')
const { VirtualClock } = await fromDist<typeof import('../gateway/engine/clock.js')>('gateway/engine/clock.js')
const { JournalStore } = await fromDist<typeof import('../gateway/store/journal-store.js')>('gateway/store/journal-store.js')
const { registerChannels } = await fromDist<typeof import('../gateway/channels/index.js')>('gateway/channels/index.js')
const { nodeCrypto } = await fromDist<typeof import('../gateway/engine/crypto.js')>('gateway/engine/crypto.js')
const { sandboxKeyPool } = await fromDist<typeof import('../gateway/engine/sandbox-key.js')>('gateway/engine/sandbox-key.js')

/** A third each of cards (plaintext, allowed for seeding only), wallets and bank transfers. */
function seedInput (no: number, expYear: number): CreatePaymentInput {
  const base = {
    merchant_order_id: `seed-${no}`, amount: 1000 + (no % 9000), currency: 'USD', description: `seeded order ${no}`,
    notify_url: SEED_NOTIFY_URL, metadata: { batch: String(Math.floor(no / 1000)) }
  }
  switch (no % 3) {
    case 0: return { ...base, method: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: expYear, cvc: '123' } } }
    case 1: return { ...base, method: { type: 'wallet', wallet: { provider: 'alipay' } } }
    default: return { ...base, method: { type: 'bank_transfer' } }
  }
}

// The seeded store is a settled history, as a store that has run for a while would be: payments
// made two days ago on a virtual clock, their notifications acknowledged (by a transport that
// answers 200 without sending anything), wallets and transfers expired. Nothing is left due, so
// the measured gateway does not spend the measurements working off a backlog.
const SEED_NOTIFY_URL = 'http://127.0.0.1:9/paylab-bench-seed'
const ACKNOWLEDGE: NotificationTransport = { deliver: async () => ({ status: 200, error: null }) }
const DAY_MS = 24 * 3600 * 1000

export async function seed (dir: string, count: number): Promise<void> {
  const clock = new VirtualClock(Date.now() - 2 * DAY_MS)
  // Its keys are the published test-only ones (see bench/server.ts): no key generation.
  const engine = await Engine.open({ store: new JournalStore(dir), clock, crypto: sandboxKeyPool(nodeCrypto).crypto, transport: ACKNOWLEDGE, config: { allowPlaintextCards: true } })
  registerChannels(engine)
  const expYear = new Date().getUTCFullYear() + 3
  const BATCH = 2000
  for (let no = 0; no < count;) {
    // Creates issued in one turn of the event loop share one journal write and fsync.
    const batch: Array<Promise<{ status: number }>> = []
    for (const end = Math.min(count, no + BATCH); no < end; no++) {
      const input = seedInput(no, expYear)
      const req: MutationRequest = { merchantId: DEMO_MERCHANT_ID, method: 'POST', path: '/v1/payments', body: Buffer.from(JSON.stringify(input)), requestId: `req_seed${no}` }
      batch.push(engine.createPayment(req, input))
    }
    for (const answer of await Promise.all(batch)) {
      if (answer.status !== 201) throw new Error(`seeding: create answered ${answer.status}`)
    }
  }
  await engine.advanceClock(DAY_MS)
  const left = engine.storedCounts().tasks
  if (left > 0) throw new Error(`seeding: ${left} tasks are still due after a day`)
  await engine.close()
}
