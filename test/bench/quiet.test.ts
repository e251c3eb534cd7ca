// bench/quiet.ts: a measurement waits for the bench's servers to stop working (a JVM compiles for
// seconds after a load), and gives up after --quiet seconds. CPU readings and sleeps are injected.
import t from 'tap'
import { quiet } from '../../bench/quiet.js'

/** CPU seconds per pid after each window: one entry per reading (the first is before any wait). */
function readings (series: Record<number, number[]>): { cpuSeconds: (pid: number) => number, wait: (ms: number) => Promise<void>, waits: number[] } {
  let step = 0
  const waits: number[] = []
  return {
    cpuSeconds: (pid) => { const s = series[pid] as number[]; return s[Math.min(step, s.length - 1)] as number },
    wait: async (ms) => { waits.push(ms); step++ },
    waits
  }
}

t.test('waits while the servers together use more than the threshold, then stops', async (t) => {
  // pid 1 (a JVM) uses a full core for two windows of 0.5 s, then stops; pid 2 stays idle.
  const r = readings({ 1: [10, 10.5, 11, 11.001], 2: [3, 3, 3, 3] })
  const q = await quiet([1, 2], { maxMs: 5000, cpuSeconds: r.cpuSeconds, wait: r.wait })
  t.same(q, { waitedMs: 1500, idle: true })
  t.same(r.waits, [500, 500, 500])
})

t.test('two servers each under the threshold but over it together are busy', async (t) => {
  const r = readings({ 1: [0, 0.015, 0.015], 2: [0, 0.015, 0.015] })
  const q = await quiet([1, 2], { maxMs: 5000, cpuSeconds: r.cpuSeconds, wait: r.wait })
  t.same(q, { waitedMs: 1000, idle: true }, 'the first window (0.06 cores together) was busy')
})

t.test('gives up at maxMs and says the servers were still busy', async (t) => {
  let cpu = 0
  const q = await quiet([7], { maxMs: 2000, windowMs: 250, cpuSeconds: () => cpu, wait: async () => { cpu += 0.25 } })
  t.same(q, { waitedMs: 2000, idle: false })
})

t.test('maxMs 0 or no servers: no wait at all', async (t) => {
  const r = readings({ 1: [0, 5, 10] })
  t.same(await quiet([1], { maxMs: 0, cpuSeconds: r.cpuSeconds, wait: r.wait }), { waitedMs: 0, idle: true })
  t.same(await quiet([], { maxMs: 5000, cpuSeconds: r.cpuSeconds, wait: r.wait }), { waitedMs: 0, idle: true })
  t.same(r.waits, [])
})

t.test('a process /proc cannot read (NaN) counts as idle', async (t) => {
  const q = await quiet([1], { maxMs: 5000, cpuSeconds: () => NaN, wait: async () => {} })
  t.same(q, { waitedMs: 500, idle: true })
})
