// The benchmark's printout: Markdown tables of the measurements and of the ratios against the
// targets, so that a run can be pasted into docs/performance.md as it is. With several rounds,
// each figure is the median over the rounds (the longest stall is the longest of all, and
// compactions and requests are summed), and each ratio is the median of the ratios taken
// within one round (measurements close in time share the background load of the machine).
import type { Measurement } from './load.js'

export interface Row extends Measurement {
  store: string
  round: number
  /** The longest the server's event loop was blocked during the measurement. */
  maxStallMs: number
  /** The server's garbage collection time per request, in µs. */
  gcUs: number
  /** Compactions of the store (snapshot rewrites) during the measurement. */
  compactions: number
}

export interface RatioSpec {
  name: string
  over: { name: string, store: string }
  under: { name: string, store: string }
  target?: number
}

export interface Ratio { name: string, value: number, perRound: number[], target?: number }

const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '—')

export function median (values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** One line per measurement and store, in the order first measured. */
export function measurementTable (rows: readonly Row[]): string {
  const lines = [
    '| measurement | store | req/s | p50 ms | p99 ms | server CPU µs/req | GC µs/req | server CPU | client CPU | longest stall ms | compactions | requests | non-2xx |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  ]
  const groups = new Map<string, Row[]>()
  for (const r of rows) {
    const key = `${r.name}\u0000${r.store}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  for (const g of groups.values()) {
    const m = (f: (r: Row) => number): number => median(g.map(f))
    const first = g[0] as Row
    const sum = (f: (r: Row) => number): number => g.reduce((a, r) => a + f(r), 0)
    lines.push(`| ${first.name} | ${first.store} | ${fixed(m((r) => r.reqPerSec), 0)} | ${fixed(m((r) => r.p50), 0)} | ${fixed(m((r) => r.p99), 0)} | ` +
      `${fixed(m((r) => r.serverCpuUs), 0)} | ${fixed(m((r) => r.gcUs), 0)} | ${fixed(m((r) => r.serverCpu), 0)}% | ${fixed(m((r) => r.clientCpu), 0)}% | ` +
      `${fixed(Math.max(...g.map((r) => r.maxStallMs)), 0)} | ${sum((r) => r.compactions)} | ${sum((r) => r.total)} | ${sum((r) => r.non2xx + r.errors)} |`)
  }
  return lines.join('\n')
}

export function ratios (rows: readonly Row[], specs: readonly RatioSpec[], rounds: number): Ratio[] {
  const rate = (round: number, at: { name: string, store: string }): number =>
    rows.find((r) => r.round === round && r.name === at.name && r.store === at.store)?.reqPerSec ?? NaN
  return specs.map((spec) => {
    const perRound = Array.from({ length: rounds }, (_, i) => rate(i + 1, spec.over) / rate(i + 1, spec.under))
    return { name: spec.name, value: median(perRound), perRound, ...(spec.target === undefined ? {} : { target: spec.target }) }
  })
}

export function ratioTable (list: readonly Ratio[]): string {
  const lines = ['| ratio | value | per round | target | result |', '| --- | ---: | --- | ---: | --- |']
  for (const r of list) {
    const verdict = r.target === undefined ? '—' : r.value >= r.target ? 'pass' : 'miss'
    lines.push(`| ${r.name} | ${fixed(r.value, 2)} | ${r.perRound.map((v) => fixed(v, 2)).join(' ')} | ${r.target === undefined ? '—' : `≥ ${r.target}`} | ${verdict} |`)
  }
  return lines.join('\n')
}

export const misses = (list: readonly Ratio[]): Ratio[] => list.filter((r) => r.target !== undefined && !(r.value >= r.target))

/** Measurements with non-2xx answers or socket errors, each with its first failure. */
export function failures (rows: readonly Row[]): string[] {
  return rows
    .filter((r) => r.non2xx > 0 || r.errors > 0)
    .map((r) => `${r.name} (${r.store}, round ${r.round}): ${r.non2xx} non-2xx, ${r.errors} errors/timeouts${r.firstFailure === undefined ? '' : `; first: ${r.firstFailure}`}`)
}
