// A compaction's snapshot write alone: N payments and N events (the seeded store's shapes),
// written by SnapshotFile to a temp dir; CPU, GC time and the longest event-loop stall.
//   npx tsx bench/micro/snapshot.ts [N] [path of a snapshot-file.ts to compare]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import type * as SnapshotModule from '../../gateway/store/snapshot-file.js'

const N = Number(process.argv[2] ?? 100_000)
const module = process.argv[3] === undefined ? '../../gateway/store/snapshot-file.js' : pathToFileURL(resolve(process.argv[3])).href
const { SnapshotFile } = await import(module) as typeof SnapshotModule
const payment = (i: number) => ({ id: `pay_${i.toString(36).padStart(16, '0')}`, object: 'payment', merchant_id: 'demo', merchant_order_id: `seed-${i}`, amount: 1000 + i % 9000, currency: 'USD', method: { type: 'card', card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2029, fingerprint: 'lOxh-yhjhjFs8EZV' } }, capture: 'automatic', description: `seeded order ${i}`, notify_url: 'http://127.0.0.1:9/paylab-bench-seed', return_url: null, metadata: { batch: String(i >> 10) }, status: 'succeeded', amount_captured: 1000, amount_refunded: 0, failure: null, next_action: null, cancellation_reason: null, created_at: new Date(1e12 + i).toISOString(), updated_at: new Date(1e12 + i).toISOString(), expires_at: null })
const payments = Array.from({ length: N }, (_, i) => payment(i))
const events = payments.map((p, i) => ({ id: `evt_${i.toString(36).padStart(16, '0')}`, object: 'event', type: 'payment.succeeded', merchant_id: 'demo', created: p.created_at, payment_id: p.id, merchant_order_id: p.merchant_order_id, body: JSON.stringify({ id: `evt_${i}`, object: 'event', type: 'payment.succeeded', created: p.created_at, data: { object: p } }), notify_url: p.notify_url, status: 'delivered', fault: null, attempts: [{ attempt: 1, at: p.created_at, url: p.notify_url, status_code: 200, latency_ms: 22, error: null, fault: null, next_attempt_at: null }], next_attempt_at: null, delivered_at: p.created_at }))
const dir = await mkdtemp(join(tmpdir(), 'paylab-snapshot-'))
try {
  for (let round = 0; round < 2; round++) {
    const file = new SnapshotFile<{ format: number, journal: number, tables: Record<string, readonly unknown[]> }>(join(dir, 'paylab.json'))
    let gcMs = 0
    const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration })
    obs.observe({ entryTypes: ['gc'] })
    const loop = monitorEventLoopDelay({ resolution: 1 })
    loop.enable()
    const cpu = process.cpuUsage()
    const wall = performance.now()
    await file.write({ format: 1, journal: 1, tables: { payments, events } })
    const used = process.cpuUsage(cpu)
    loop.disable()
    obs.disconnect()
    process.stdout.write(`${N} payments + events: ${((used.user + used.system) / 1000).toFixed(0)} ms CPU, ${(performance.now() - wall).toFixed(0)} ms wall, GC ${gcMs.toFixed(0)} ms, longest stall ${(loop.max / 1e6).toFixed(1)} ms\n`)
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
