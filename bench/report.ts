// The benchmark's printout: Markdown tables of the measurements, of the ratios and of the targets,
// so that a run can be pasted into docs/performance.md as it is. With several rounds, each figure
// is the median over the rounds (the longest stall and the worst p99 are the worst of all, and
// compactions and requests are summed), and each ratio is the median of the ratios taken within
// one round (measurements close in time share the background load of the machine).
import type { Measurement } from './load.js'

export interface Row extends Measurement {
  store: string
  round: number
  /** The longest the server's event loop was blocked during the measurement (NaN for the JVM). */
  maxStallMs: number
  /** The server's garbage collection time per request, in µs (NaN for the JVM). */
  gcUs: number
  /** The longest single garbage collection pause, in ms: beside the longest stall, says whether the collector made it (NaN for the JVM). */
  maxGcMs: number
  /** Compactions of the store (snapshot rewrites) during the measurement. */
  compactions: number
  /** How long the measurement waited for the bench's servers to go idle first (ms; --quiet). */
  quietWaitMs?: number
}

/** One line of the summary: a measurement and store, its figures over the rounds. */
export interface Summary {
  name: string
  store: string
  reqPerSec: number
  p50: number
  p99: number
  /** The worst p99 of the rounds. */
  worstP99: number
  serverCpuUs: number
  gcUs: number
  serverCpu: number
  clientCpu: number
  maxStallMs: number
  maxGcMs: number
  compactions: number
  requests: number
  failed: number
}

export const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '—')

export function median (values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

const worst = (values: readonly number[]): number => {
  const finite = values.filter(Number.isFinite)
  return finite.length === 0 ? NaN : Math.max(...finite)
}

/** One summary per measurement and store, in the order first measured. */
export function summarize (rows: readonly Row[]): Summary[] {
  const groups = new Map<string, Row[]>()
  for (const r of rows) {
    const key = `${r.name}\u0000${r.store}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  return [...groups.values()].map((g) => {
    const m = (f: (r: Row) => number): number => median(g.map(f))
    const sum = (f: (r: Row) => number): number => g.reduce((a, r) => a + f(r), 0)
    const first = g[0] as Row
    return {
      name: first.name,
      store: first.store,
      reqPerSec: m((r) => r.reqPerSec),
      p50: m((r) => r.p50),
      p99: m((r) => r.p99),
      worstP99: worst(g.map((r) => r.p99)),
      serverCpuUs: m((r) => r.serverCpuUs),
      gcUs: m((r) => r.gcUs),
      serverCpu: m((r) => r.serverCpu),
      clientCpu: m((r) => r.clientCpu),
      maxStallMs: worst(g.map((r) => r.maxStallMs)),
      maxGcMs: worst(g.map((r) => r.maxGcMs)),
      compactions: sum((r) => r.compactions),
      requests: sum((r) => r.total),
      failed: sum((r) => r.non2xx + r.errors)
    }
  })
}

export function measurementTable (summaries: readonly Summary[]): string {
  const lines = [
    '| measurement | store | req/s | p50 ms | p99 ms | server CPU µs/req | GC µs/req | server CPU | client CPU | longest stall ms | longest GC pause ms | compactions | requests | non-2xx |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  ]
  for (const s of summaries) {
    lines.push(`| ${s.name} | ${s.store} | ${fixed(s.reqPerSec, 0)} | ${fixed(s.p50, 0)} | ${fixed(s.p99, 0)} | ${fixed(s.serverCpuUs, 0)} | ${fixed(s.gcUs, 0)} | ` +
      `${fixed(s.serverCpu, 0)}% | ${fixed(s.clientCpu, 0)}% | ${fixed(s.maxStallMs, 0)} | ${fixed(s.maxGcMs, 0)} | ${s.compactions} | ${s.requests} | ${s.failed} |`)
  }
  return lines.join('\n')
}

/** Measurements with non-2xx answers or socket errors, each with its first failure. */
export function failures (rows: readonly Row[]): string[] {
  return rows
    .filter((r) => r.non2xx > 0 || r.errors > 0)
    .map((r) => `${r.name} (${r.store}, round ${r.round}): ${r.non2xx} non-2xx, ${r.errors} errors/timeouts${r.firstFailure === undefined ? '' : `; first: ${r.firstFailure}`}`)
}

/** Each measurement beside the same one of an earlier run (--baseline): req/s and server CPU per request, now over then. */
export function baselineTable (now: readonly Summary[], then: readonly Summary[]): string {
  const lines = ['| measurement | store | req/s then | req/s now | now / then | CPU µs/req then | CPU µs/req now | now / then |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |']
  for (const s of now) {
    const t = then.find((b) => b.name === s.name && b.store === s.store)
    if (t === undefined) continue
    lines.push(`| ${s.name} | ${s.store} | ${fixed(t.reqPerSec, 0)} | ${fixed(s.reqPerSec, 0)} | ${fixed(s.reqPerSec / t.reqPerSec, 2)} | ${fixed(t.serverCpuUs, 0)} | ${fixed(s.serverCpuUs, 0)} | ${fixed(s.serverCpuUs / t.serverCpuUs, 2)} |`)
  }
  return lines.join('\n')
}
