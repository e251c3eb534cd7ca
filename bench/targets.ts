// The targets of issue 17, evaluated on one run: each a ratio taken within a round (median over
// the rounds) or a worst case over the run, with its goal and whether it is met. A target that
// needs a skipped peer has no value (null) and says why.
import { fixed, median, type Row, type Summary } from './report.js'

export const QUERY = 'signed query GET /v1/payments/{id}'
export const WALLET = 'signed create (wallet, durable)'
export const CARD = 'signed create (card, RSA envelope)'
export const RSA_ANSWERS = 'RSA-signed query (RSA-SHA256 request and answer)'
export const WECHATPAY = 'WeChat Pay v3 query (WECHATPAY2-SHA256-RSA2048)'
export const BARE_GET = 'bare Fastify, canned GET'
export const BARE_POST = 'bare Fastify, canned POST'
export const WIREMOCK_GET = 'WireMock, canned GET'
export const WIREMOCK_POST = 'WireMock, canned POST'
export const PAYLAB = [QUERY, WALLET, CARD, RSA_ANSWERS, WECHATPAY]
/**
 * The store label of the third gateway: a fresh store, RSA work on the event loop as before issue
 * 17 (no worker pool). Its card creates, measured in every round next to the others, are target
 * 3's "before"; nothing else is measured on it, and no other target looks at it.
 */
export const BEFORE_STORE = 'empty, RSA on the event loop'

/** Card creates/s before this issue (docs/performance.md, 2026-11-27, 10 connections, quiet machine, after-run medians 1571/1533 and 1622/1558). */
export const CARD_BEFORE = { empty: 1552, large: 1590, source: 'docs/performance.md, 2026-11-27' }

export interface Result {
  name: string
  /** The figure compared with the goal; null when it could not be measured (see `skipped`). */
  value: number | null
  goal: string
  pass: boolean | null
  /** For ratios: the ratio of each round. */
  perRound?: number[]
  skipped?: string
}

type At = { name: string, store: string }
export interface Inputs {
  rows: readonly Row[]
  rounds: number
  stores: { empty: string, large: string }
  /** crypto.sign (RSA-2048, SHA-256) per second on one core, each round. */
  rawSignPerSec: number[]
  rssBytesPerPayment: number
  /** Card creates/s to compare with, per store. */
  cardBefore: { empty: number, large: number, source: string }
  wiremockSkipped?: string
  /** Why there is no large store (`--skip large`): its targets and ratios say so. */
  largeSkipped?: string
}

export function evaluate (i: Inputs): { targets: Result[], ratios: Result[] } {
  const rate = (round: number, at: At): number => i.rows.find((r) => r.round === round && r.name === at.name && r.store === at.store)?.reqPerSec ?? NaN
  const rounds = Array.from({ length: i.rounds }, (_, k) => k + 1)
  const ratio = (name: string, over: At, under: (round: number) => number, target?: number, skipped?: string): Result => {
    if (skipped !== undefined) return { name, value: null, goal: target === undefined ? '—' : `≥ ${target}`, pass: null, skipped }
    const perRound = rounds.map((r) => rate(r, over) / under(r))
    const value = median(perRound)
    return { name, value, perRound, goal: target === undefined ? '—' : `≥ ${target}`, pass: target === undefined ? null : value >= target }
  }
  const at = (name: string, store: string): At => ({ name, store })
  const of = (name: string, store: string) => (round: number): number => rate(round, at(name, store))
  const raw = (round: number): number => i.rawSignPerSec[round - 1] ?? NaN
  const { empty, large } = i.stores
  const skippedAt = (s: string): string | undefined => (s === large ? i.largeSkipped : undefined)
  const paylab = i.rows.filter((r) => PAYLAB.includes(r.name) && r.store !== BEFORE_STORE)
  const worst = (f: (r: Row) => number): number => Math.max(...paylab.map(f).filter(Number.isFinite))
  const p99 = worst((r) => r.p99)
  const stall = worst((r) => r.maxStallMs)
  const below = (name: string, value: number, limit: number, unit: string): Result =>
    ({ name, value: Number.isFinite(value) ? value : null, goal: `< ${limit} ${unit}`, pass: Number.isFinite(value) ? value < limit : null })
  // Target 3 against the gateway measured in the same rounds when there is one (not --skip before).
  const inRunBefore = i.rows.some((r) => r.name === CARD && r.store === BEFORE_STORE)
  const figure = (name: string, value: number): Result => ({ name, value: Number.isFinite(value) ? value : null, goal: '—', pass: null })
  const targets: Result[] = [
    ...[empty, large].map((s) => ratio(`1. signed query / WireMock GET, ${s} store`, at(QUERY, s), of(WIREMOCK_GET, '—'), 1.0, i.wiremockSkipped ?? skippedAt(s))),
    ...[empty, large].map((s) => ratio(`2. signed wallet create (durable) / WireMock POST, ${s} store`, at(WALLET, s), of(WIREMOCK_POST, '—'), 0.6, i.wiremockSkipped ?? skippedAt(s))),
    ...(inRunBefore
      ? [empty, large].map((s) => ratio(`3. card creates / the same build with RSA on the event loop (same round, its store empty), ${s} store`, at(CARD, s), of(CARD, BEFORE_STORE), 1.6, skippedAt(s)))
      : [
          ratio(`3. card creates / before (${i.cardBefore.empty.toFixed(0)} req/s, ${i.cardBefore.source}), ${empty} store`, at(CARD, empty), () => i.cardBefore.empty, 1.6),
          ratio(`3. card creates / before (${i.cardBefore.large.toFixed(0)} req/s), ${large} store`, at(CARD, large), () => i.cardBefore.large, 1.6, i.largeSkipped)
        ]),
    below('4. worst p99 of the paylab measurements, ms', p99, 20, 'ms'),
    below('4. longest event-loop stall of the paylab measurements, ms', stall, 20, 'ms'),
    {
      ...below('5. RSS per stored payment at the large store, bytes', i.rssBytesPerPayment, 1500, 'bytes'),
      goal: '≤ 1500 bytes',
      pass: Number.isFinite(i.rssBytesPerPayment) ? i.rssBytesPerPayment <= 1500 : null,
      ...(i.largeSkipped === undefined ? {} : { skipped: i.largeSkipped })
    },
    ...[empty, large].map((s) => ratio(`6. RSA-signed answers / raw crypto.sign of one core, ${s} store`, at(RSA_ANSWERS, s), raw, 0.8, skippedAt(s)))
  ]
  const ratios: Result[] = [
    ratio('signed query / bare Fastify GET', at(QUERY, empty), of(BARE_GET, '—')),
    ratio('signed wallet create / bare Fastify POST', at(WALLET, empty), of(BARE_POST, '—')),
    ratio('bare Fastify GET / WireMock GET', at(BARE_GET, '—'), of(WIREMOCK_GET, '—'), undefined, i.wiremockSkipped),
    ratio('WeChat Pay query / raw crypto.sign of one core', at(WECHATPAY, empty), raw),
    ...PAYLAB.map((name) => ratio(`${name}, ${large} / ${empty}`, at(name, large), of(name, empty), undefined, i.largeSkipped)),
    // Beside target 4: what the machine itself allows (a server that does nothing, sharing the two
    // cores with the load generator, is still descheduled), and the workloads without RSA work,
    // whose latency Little's law does not hold above 20 ms (docs/performance.md).
    figure('longest event-loop stall of bare Fastify, ms (the floor of the machine)', Math.max(...i.rows.filter((r) => r.name === BARE_GET || r.name === BARE_POST).map((r) => r.maxStallMs).filter(Number.isFinite))),
    figure('worst p99 of the HMAC workloads (signed query, wallet create), ms', Math.max(...paylab.filter((r) => r.name === QUERY || r.name === WALLET).map((r) => r.p99).filter(Number.isFinite)))
  ]
  return { targets, ratios }
}

export function resultTable (list: readonly Result[], heading: string): string {
  const lines = [`| ${heading} | value | per round | goal | result |`, '| --- | ---: | --- | ---: | --- |']
  for (const r of list) {
    const verdict = r.skipped ?? (r.pass === null ? '—' : r.pass ? 'met' : 'missed')
    lines.push(`| ${r.name} | ${r.value === null ? '—' : fixed(r.value, 2)} | ${(r.perRound ?? []).map((v) => fixed(v, 2)).join(' ')} | ${r.goal} | ${verdict} |`)
  }
  return lines.join('\n')
}

/** Card creates/s of an earlier run (--baseline), else the figures before issue 17. */
export function cardBefore (baseline: unknown, stores: { empty: string, large: string }): typeof CARD_BEFORE {
  const summary = (baseline as { summary?: Summary[] } | undefined)?.summary
  const onEventLoop = (baseline as { options?: { rsaOnEventLoop?: unknown } } | undefined)?.options?.rsaOnEventLoop === true
  if (!Array.isArray(summary)) return CARD_BEFORE
  const rate = (store: string): number | undefined => summary.find((r) => r.name === CARD && r.store === store)?.reqPerSec
  const empty = rate('empty')
  const large = rate(stores.large) ?? rate('large')
  return empty === undefined || large === undefined ? CARD_BEFORE : { empty, large, source: onEventLoop ? 'the --baseline run, RSA on the event loop' : 'the --baseline run' }
}
