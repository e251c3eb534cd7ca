// The servers under test, each in a process of its own so that the load generator does not
// share their event loop (the machine has two cores: one for the server, one for autocannon).
//
//   bare FILE            bare Fastify serving the canned answers of FILE (a JSON { query, create }:
//                        the same bytes the gateway answered) at GET /v1/payments/:id and POST /v1/payments
//   gateway DIR LEVEL PEM RSA  buildGateway on the embedded JournalStore in DIR, logging at LEVEL (or off);
//                        PEM is the public key of the merchant whose requests are RSA-signed; RSA is
//                        rsa-pool (as paylab gateway runs) or rsa-on-event-loop (--rsa-on-event-loop)
//   seed DIR COUNT …     COUNT payments created through the engine in-process (bench/seed.ts), then closed
//
// The parent (bench/run.ts) forks this file and talks to it over IPC (see ServerMessage). The
// longest event-loop stall and the GC time are taken here, inside the server process, and read
// over that channel: nothing is added to the gateway's HTTP surface for the benchmark.
import { readdir, readFile } from 'node:fs/promises'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Engine } from '../gateway/engine/engine.js'
import type { WechatpayCredentials } from '../gateway/channels/wechatpay/credentials.js'
import { fromDist } from './dist.js'
import { RSA_MERCHANT, type GatewayFacts, type ParentMessage, type ServerMessage } from './protocol.js'

const send = (message: ServerMessage): void => { process.send?.(message) }

/** The newest journal file's number: it grows by one at each compaction of the store. */
async function journalNumber (dir: string | undefined): Promise<number> {
  if (dir === undefined) return 0
  const numbers = (await readdir(dir)).map((f) => /^journal-(\d+)\.jsonl$/.exec(f)?.[1]).filter((n) => n !== undefined).map(Number)
  return Math.max(0, ...numbers)
}

async function serve (app: FastifyInstance, openMs: number, extra: { payments?: number, gateway?: GatewayFacts } = {}, dir?: string, settle: () => Promise<void> = async () => {}): Promise<void> {
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  // The longest the event loop was blocked since the last 'stats' (a compaction shows here), and
  // the time spent collecting garbage (it grows with the live heap, that is with what is stored).
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  let gcMs = 0
  let maxGcMs = 0
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) { gcMs += entry.duration; if (entry.duration > maxGcMs) maxGcMs = entry.duration }
  }).observe({ entryTypes: ['gc'] })
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'close') void app.close().then(() => process.exit(0))
    if (message.type === 'stats') {
      void journalNumber(dir).then((journal) => {
        send({ type: 'stats', maxStallMs: loop.max / 1e6, gcMs, maxGcMs, journal })
        loop.reset()
        gcMs = 0
        maxGcMs = 0
      })
    }
    if (message.type === 'settle') {
      const started = performance.now()
      void settle().then(() => send({ type: 'settled', ms: performance.now() - started }))
    }
    if (message.type === 'cpu') {
      // In µs, all threads: a 0.1 s measurement may use less than the 10 ms tick of /proc/<pid>/stat.
      const { user, system } = process.cpuUsage()
      send({ type: 'cpu', seconds: (user + system) / 1e6 })
    }
    if (message.type === 'memory') {
      // After a full collection (the bench forks with --expose-gc), so that garbage not yet collected is not counted.
      (globalThis as { gc?: () => void }).gc?.()
      const { rss, heapUsed } = process.memoryUsage()
      send({ type: 'memory', rss, heapUsed })
    }
  })
  send({ type: 'ready', port: Number(new URL(address).port), openMs, payments: 0, ...extra })
}

async function bare (file: string): Promise<void> {
  const canned = JSON.parse(await readFile(file, 'utf8')) as { query: string, create: string }
  const app = Fastify({ logger: false })
  app.get('/v1/payments/:id', (_request, reply) => { void reply.type('application/json').send(canned.query) })
  app.post('/v1/payments', (_request, reply) => { void reply.code(201).type('application/json').send(canned.create) })
  await serve(app, 0)
}

/** The merchants the workloads sign as: the demo merchant (HMAC, and its WeChat Pay credentials) and one whose requests and answers are RSA-signed. */
async function merchants (engine: Engine, rsaPublicKey: string): Promise<Omit<GatewayFacts, 'key' | 'rsaWork'>> {
  const { DEMO_MERCHANT_ID } = await fromDist<typeof import('../gateway/engine/engine.js')>('gateway/engine/engine.js')
  if (engine.channelCredentials(DEMO_MERCHANT_ID, 'wechatpay') === undefined) await engine.updateMerchant(DEMO_MERCHANT_ID, { channels: { wechatpay: {} } })
  const wx = engine.channelCredentials(DEMO_MERCHANT_ID, 'wechatpay') as WechatpayCredentials
  if (wx.merchant_private_key === undefined) throw new Error('the demo merchant\'s WeChat Pay private key was not kept')
  const exists = engine.listMerchants().data.some((m) => m.id === RSA_MERCHANT)
  if (!exists) await engine.createMerchant({ id: RSA_MERCHANT, rsa_public_key: rsaPublicKey, answer_signature_type: 'RSA-SHA256' })
  const demo = engine.merchant(DEMO_MERCHANT_ID)
  const rsa = engine.merchant(RSA_MERCHANT)
  return {
    demo: { merchant: demo.id, secret: demo.hmac_secret },
    rsa: { merchant: rsa.id, secret: rsa.hmac_secret },
    wechatpay: { mchid: wx.mchid, appid: wx.appid, serial: wx.merchant_serial_no, privateKey: wx.merchant_private_key }
  }
}

async function gateway (dir: string, level: string, rsaPublicKey: string, rsa: string): Promise<void> {
  const started = performance.now()
  const { buildGateway } = await fromDist<typeof import('../gateway/server.js')>('gateway/server.js')
  const { nodeCrypto } = await fromDist<typeof import('../gateway/engine/crypto.js')>('gateway/engine/crypto.js')
  const { sandboxKeyPool } = await fromDist<typeof import('../gateway/engine/sandbox-key.js')>('gateway/engine/sandbox-key.js')
  const { pooledCrypto, RsaWorkerPool } = await fromDist<typeof import('../gateway/crypto/worker-pool.js')>('gateway/crypto/worker-pool.js')
  // The keys a fresh data dir generates at its first start (the gateway's, the demo merchant's
  // WeChat Pay and Alipay ones) come from the published test-only keys, as an in-memory gateway's
  // do: the same RSA-2048 work per request, without seconds of key generation before the first.
  // A gateway given a provider of its own starts no RSA worker pool, so the bench brings the one
  // `paylab gateway` starts: without it every RSA operation ran on the event loop, a
  // configuration no user runs (one core for RSA answers, stalls of 100–300 ms).
  // `--rsa-on-event-loop` leaves the pool out on purpose: the architecture before issue 17.
  const crypto = sandboxKeyPool(rsa === 'rsa-on-event-loop' ? nodeCrypto : pooledCrypto(nodeCrypto, new RsaWorkerPool())).crypto
  const { JournalStore } = await fromDist<typeof import('../gateway/store/journal-store.js')>('gateway/store/journal-store.js')
  // The store buildGateway would make for `dataDir`, made here so that the bench can wait for a
  // compaction a measurement started to end before it measures the next workload or the other gateway.
  const store = new JournalStore(dir)
  const { app, engine } = await buildGateway({ store, logger: level === 'off' ? false : { level }, crypto })
  const openMs = performance.now() - started
  const paymentCount = engine.storedCounts().payments
  const { DEMO_MERCHANT_ID } = await fromDist<typeof import('../gateway/engine/engine.js')>('gateway/engine/engine.js')
  process.on('message', (message: ParentMessage) => {
    if (message.type !== 'sample') return
    // A uniform sample over the demo merchant's payments, so that queries reach old and new alike.
    const all = engine.merchantPayments(DEMO_MERCHANT_ID).map((p) => p.id)
    const ids: string[] = []
    for (let i = 0; i < message.count && all.length > 0; i++) ids.push(all[Math.floor(Math.random() * all.length)] as string)
    send({ type: 'sample', ids })
  })
  const key = engine.keys().data[0] as { id: string, public_key: string }
  const pooled = engine.crypto.rsaSha256SignAsync !== undefined && engine.crypto.rsaOaepDecryptAsync !== undefined
  const facts = { ...await merchants(engine, rsaPublicKey), key: { id: key.id, public_key: key.public_key }, rsaWork: pooled ? 'worker pool' as const : 'event loop' as const }
  await serve(app, openMs, { payments: paymentCount, gateway: facts }, dir, () => store.compacted())
}

async function seedAll (pairs: string[]): Promise<void> {
  const started = performance.now()
  // Loaded here: it loads the engine, which the bare server has no use for.
  const { seed } = await import('./seed.js')
  for (let i = 0; i + 1 < pairs.length; i += 2) await seed(pairs[i] as string, Number(pairs[i + 1]))
  // The IPC channel would keep this process alive: leave once the parent has the message.
  process.send?.({ type: 'seeded', ms: performance.now() - started } satisfies ServerMessage, () => process.exit(0))
}

const [mode, ...args] = process.argv.slice(2)
const run = mode === 'bare'
  ? bare(args[0] as string)
  : mode === 'gateway' ? gateway(args[0] as string, args[1] as string, args[2] as string, args[3] as string) : mode === 'seed' ? seedAll(args) : Promise.reject(new Error(`unknown mode ${mode}`))
run.catch((err: unknown) => {
  process.stderr.write(`bench server (${mode}): ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
