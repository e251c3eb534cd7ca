// How a failure reads, for every reporter: where, which step, expected against seen, journal.
import type { Mismatch, ScenarioResult } from '../types.js'

// JSON.stringify gives undefined only for a function or a symbol, which String shows.
// eslint-disable-next-line @typescript-eslint/no-base-to-string
export const show = (v: unknown): string => v === undefined ? '(nothing)' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v)

export function mismatchLine (m: Mismatch): string {
  return `${m.path}: expected ${show(m.expected)}, seen ${show(m.seen)}${m.note === undefined ? '' : `  (${m.note})`}`
}

export function stepLabel (r: ScenarioResult): string {
  const step = r.failure?.step
  if (step === undefined) return `${r.scenario.file}:${r.scenario.line}`
  return `${r.scenario.file}:${step.line} step ${step.number} ${step.kind}${step.name === undefined ? '' : ` (${step.name})`}`
}

/** The failure as plain lines, without indentation. */
export function failureLines (r: ScenarioResult): string[] {
  const f = r.failure
  if (f === undefined) return []
  const lines = [`at ${stepLabel(r)}`, f.message, ...f.mismatches.map((m) => `  ${mismatchLine(m)}`)]
  if (f.journal.length > 0) lines.push('recent gateway journal of this scenario\'s merchant:', ...f.journal.map((l) => `  ${l}`))
  return lines
}

export const seconds = (ms: number): string => (ms / 1000).toFixed(3)

export interface Totals { passed: number, failed: number, errors: number, skipped: number }

export function totals (results: ScenarioResult[]): Totals {
  const count = (o: ScenarioResult['outcome']) => results.filter((r) => r.outcome === o).length
  return { passed: count('passed'), failed: count('failed'), errors: count('error'), skipped: count('skipped') }
}
