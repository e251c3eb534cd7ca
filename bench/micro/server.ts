// A gateway for bench/micro/gateway.ts, in a process of its own: buildGateway on a data dir
// (or a --memory store), the demo merchant given an RSA public key so that RSA-signed requests
// (and so RSA-signed answers) can be measured. Talks to its parent over IPC.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { Session } from 'node:inspector/promises'
import type * as ServerModule from '../../gateway/server.js'
import type * as JournalModule from '../../gateway/store/journal-store.js'
import type * as FilesModule from '../../gateway/store/files.js'
import type { StoreFiles } from '../../gateway/store/files.js'

// MICRO_DIST=1: the compiled dist/ (what `paylab gateway` runs), so profiles carry line numbers.
// MICRO_ROOT=<dir>: the dist/ of another build (bench/micro/ab.ts compares builds).
// MICRO_LOG=<level>: log at that pino level, as the bench's gateways do (`--log-level warn`); unset: no logger.
const root = process.env.MICRO_ROOT !== undefined
  ? `${pathToFileURL(process.env.MICRO_ROOT).href}/`
  : process.env.MICRO_DIST === '1' ? '../../dist/' : '../../'
const { buildGateway } = await import(`${root}gateway/server.js`) as typeof ServerModule
const { JournalStore } = await import(`${root}gateway/store/journal-store.js`) as typeof JournalModule
const { nodeFiles } = await import(`${root}gateway/store/files.js`) as typeof FilesModule
const DEMO_MERCHANT_ID = 'demo'

export type MicroReady = { type: 'ready', port: number, merchant: string, secret: string, key: { id: string, public_key: string }, ids: string[] }
export type MicroStats = { type: 'stats', maxStallMs: number, gcMs: number, syncs: number, appends: number, rssMb: number, heapMb: number, payments: number }

const [dir, rsaPublicKey] = process.argv.slice(2) as [string, string]
// Journal writes and fdatasyncs counted, to say how many commits share one sync (group commit).
const counts = { syncs: 0, appends: 0 }
const files: StoreFiles = {
  ...nodeFiles,
  open: async (path, flags) => {
    const file = await nodeFiles.open(path, flags)
    if (!path.endsWith('.jsonl')) return file
    return {
      write: (b: Buffer, o: number, l: number) => { counts.appends++; return file.write(b, o, l) },
      truncate: (l: number) => file.truncate(l),
      datasync: () => { counts.syncs++; return file.datasync() },
      sync: () => file.sync(),
      close: () => file.close()
    }
  }
}
const { app, engine } = await buildGateway(dir === '--memory' ? { memory: true, logger: false } : { store: new JournalStore(dir, { files }), logger: process.env.MICRO_LOG === undefined ? false : { level: process.env.MICRO_LOG } })
await engine.updateMerchant(DEMO_MERCHANT_ID, { rsa_public_key: rsaPublicKey })
const profiler = new Session()
profiler.connect()
const address = await app.listen({ host: '127.0.0.1', port: 0 })
const loop = monitorEventLoopDelay({ resolution: 5 })
loop.enable()
let gcMs = 0
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration }).observe({ entryTypes: ['gc'] })
process.on('message', (message: { type: string }) => {
  if (message.type === 'close') void app.close().then(() => process.exit(0))
  if (message.type === 'stats') {
    // With --expose-gc (bench/micro/memory.ts), RSS is read after a full collection.
    const gc = (globalThis as { gc?: () => void }).gc
    if (gc !== undefined) { gc(); gc() }
    const s = { ...counts }
    counts.syncs = 0
    counts.appends = 0
    process.send?.({ type: 'stats', maxStallMs: loop.max / 1e6, gcMs, ...s, rssMb: process.memoryUsage().rss / 2 ** 20, heapMb: process.memoryUsage().heapUsed / 2 ** 20, payments: engine.storedCounts().payments } satisfies MicroStats)
    loop.reset()
    gcMs = 0
  }
  if (message.type === 'profile-start') void profiler.post('Profiler.enable').then(() => profiler.post('Profiler.start'))
  if (message.type === 'profile-stop') {
    void profiler.post('Profiler.stop').then(({ profile }) => {
      writeFileSync((message as unknown as { path: string }).path, JSON.stringify(profile))
      process.send?.({ type: 'profiled' })
    })
  }
  if (message.type === 'ids') process.send?.({ type: 'ids', ids: engine.findPayments({ limit: 2000 }).map((p) => p.id).reverse() })
})
const demo = engine.merchant(DEMO_MERCHANT_ID)
const key = engine.keys().data[0] as { id: string, public_key: string }
process.send?.({ type: 'ready', port: Number(new URL(address).port), merchant: demo.id, secret: demo.hmac_secret, key: { id: key.id, public_key: key.public_key }, ids: [] } satisfies MicroReady)
