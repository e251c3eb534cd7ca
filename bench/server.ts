// The servers under test, each in a process of its own so that the load generator does not
// share their event loop (the machine has two cores: one for the server, one for autocannon).
//
//   bare                one trivial Fastify JSON route: the baseline
//   gateway DIR         buildGateway on the embedded JournalStore in DIR
//   seed DIR COUNT      COUNT payments created through the engine in-process, then closed
//
// The parent (bench/run.ts) forks this file and talks to it over IPC (see ServerMessage).
import { readdir } from 'node:fs/promises'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import Fastify, { type FastifyInstance } from 'fastify'
import { buildGateway } from '../gateway/server.js'
import { DEMO_MERCHANT_ID, Engine, type MutationRequest } from '../gateway/engine/engine.js'
import type { CreatePaymentInput } from '../gateway/engine/payments.js'
import type { NotificationTransport } from '../gateway/engine/outbox.js'
import { VirtualClock } from '../gateway/engine/clock.js'
import { JournalStore } from '../gateway/store/journal-store.js'
import { registerChannels } from '../gateway/channels/index.js'

export type ServerMessage =
  | { type: 'ready', port: number, openMs: number, payments: number, demo?: { merchant: string, secret: string }, key?: { id: string, public_key: string } }
  | { type: 'sample', ids: string[] }
  | { type: 'seeded', count: number, ms: number }
  | { type: 'stats', maxStallMs: number, gcMs: number, journal: number }
export type ParentMessage = { type: 'sample', count: number } | { type: 'stats' } | { type: 'close' }

const send = (message: ServerMessage): void => { process.send?.(message) }

/** The newest journal file's number: it grows by one at each compaction of the store. */
async function journalNumber (dir: string | undefined): Promise<number> {
  if (dir === undefined) return 0
  const numbers = (await readdir(dir)).map((f) => /^journal-(\d+)\.jsonl$/.exec(f)?.[1]).filter((n) => n !== undefined).map(Number)
  return Math.max(0, ...numbers)
}

async function serve (app: FastifyInstance, openMs: number, extra: Partial<ServerMessage & { type: 'ready' }> = {}, dir?: string): Promise<void> {
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  // The longest the event loop was blocked since the last 'stats' (a compaction shows here), and
  // the time spent collecting garbage (it grows with the live heap, that is with what is stored).
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  let gcMs = 0
  new PerformanceObserver((list) => { for (const entry of list.getEntries()) gcMs += entry.duration }).observe({ entryTypes: ['gc'] })
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'close') void app.close().then(() => process.exit(0))
    if (message.type === 'stats') {
      void journalNumber(dir).then((journal) => {
        send({ type: 'stats', maxStallMs: loop.max / 1e6, gcMs, journal })
        loop.reset()
        gcMs = 0
      })
    }
  })
  send({ type: 'ready', port: Number(new URL(address).port), openMs, payments: 0, ...extra })
}

async function bare (): Promise<void> {
  const app = Fastify({ logger: false })
  app.get('/bare', async () => ({ ok: true }))
  await serve(app, 0)
}

async function gateway (dir: string): Promise<void> {
  const started = performance.now()
  const { app, engine } = await buildGateway({ dataDir: dir, logger: false })
  const openMs = performance.now() - started
  const payments = engine.ctx.db.tables.payments
  process.on('message', (message: ParentMessage) => {
    if (message.type !== 'sample') return
    // A uniform sample over everything stored, so that queries reach old and new payments alike.
    const all = [...payments.keys()]
    const ids: string[] = []
    for (let i = 0; i < message.count && all.length > 0; i++) ids.push(all[Math.floor(Math.random() * all.length)] as string)
    send({ type: 'sample', ids })
  })
  const demo = engine.merchant(DEMO_MERCHANT_ID)
  const key = engine.keys().data[0] as { id: string, public_key: string }
  await serve(app, openMs, { payments: payments.size, demo: { merchant: demo.id, secret: demo.hmac_secret }, key: { id: key.id, public_key: key.public_key } }, dir)
}

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

async function seed (dir: string, count: number): Promise<void> {
  const started = performance.now()
  const clock = new VirtualClock(Date.now() - 2 * DAY_MS)
  const engine = await Engine.open({ store: new JournalStore(dir), clock, transport: ACKNOWLEDGE, config: { allowPlaintextCards: true } })
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
  await engine.sandbox.advance(DAY_MS)
  const left = engine.ctx.db.tables.tasks.size
  if (left > 0) throw new Error(`seeding: ${left} tasks are still due after a day`)
  await engine.close()
  // The IPC channel would keep this process alive: leave once the parent has the message.
  process.send?.({ type: 'seeded', count, ms: performance.now() - started } satisfies ServerMessage, () => process.exit(0))
}

const [mode, dir, count] = process.argv.slice(2)
const run = mode === 'bare' ? bare() : mode === 'gateway' ? gateway(dir as string) : mode === 'seed' ? seed(dir as string, Number(count)) : Promise.reject(new Error(`unknown mode ${mode}`))
run.catch((err: unknown) => {
  process.stderr.write(`bench server (${mode}): ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
