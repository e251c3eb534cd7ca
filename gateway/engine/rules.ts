// Sandbox rules: "the next create of merchant M whose order id matches order-7* gets
// response_lost", "30 % of queries answer 503 (seed 42)". Rules belong to one merchant, so
// parallel test suites with their own merchants never see each other's.
import { VALIDATION_FAILED } from './errors.js'
import { formatFault, parseFault, type FaultSpec } from './faults.js'
import { newId } from './ids.js'
import { formatOutcome, parseOutcome, type Outcome } from './outcomes.js'
import { formatNotificationFault, parseNotificationFault, type NotificationFault } from './notification-faults.js'

export interface RuleMatch {
  method?: string
  /** Glob over the path without its query (`*` any characters, `?` one). */
  path?: string
  merchant_order_id?: string
  amount?: number
  header?: { name: string, value?: string }
  /** For notification rules: a glob over the event type (`refund.*`). */
  event_type?: string
}

export interface RuleInput {
  merchant_id: string
  match?: RuleMatch
  outcome?: string
  fault?: string
  notification?: string
  times?: number
  probability?: number
  seed?: number
}

export interface Rule {
  id: string
  merchant_id: string
  match: RuleMatch
  outcome: string | null
  fault: string | null
  notification: string | null
  times: number | null
  probability: number | null
  seed: number
  hits: number
  created_at: string
}

/** What a request looks like to the rules. */
export interface RuleRequest {
  merchantId: string
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  merchantOrderId?: string | undefined
  amount?: number | undefined
}

export interface Compiled {
  rule: Rule
  outcome?: Outcome
  fault?: FaultSpec
  notification?: NotificationFault
  path?: Glob
  order?: Glob
  eventType?: Glob
  random: () => number
}

/** What an event looks like to the notification rules. */
export interface NotificationRuleRequest { merchantId: string, eventType: string, merchantOrderId: string, amount: number }

// `*` any characters (a `/` and a dot too), `?` one, everything else literal: the globs of
// docs/failures.md over paths, order ids, event types and hosts. picomatch was tried and kept out:
// its globs are file-path globs (`*` stops at `/` and at `.`/`..` segments, `?` skips `/`, `(...)`
// is a group, a trailing `/` is optional), which would change what existing rules match.
// Matched by hand, not as a RegExp of `.*`s: that backtracks exponentially (`*a*a*a…Z` over a
// path of forty `a`s took seconds per request, and rules run on every request).
export interface Glob { test (text: string): boolean }

export function compileGlob (glob: string): Glob {
  return { test: (text) => globMatches(glob, text) }
}

/** Greedy with one backtrack point (the last `*`): at most pattern × text steps. */
function globMatches (p: string, s: string): boolean {
  let pi = 0
  let si = 0
  let star = -1
  let mark = 0
  while (si < s.length) {
    if (pi < p.length && p[pi] !== '*' && (p[pi] === '?' || p[pi] === s[si])) {
      pi++
      si++
    } else if (p[pi] === '*') {
      star = pi++
      mark = si
    } else if (star >= 0) {
      pi = star + 1 // the last `*` takes one more character
      si = ++mark
    } else {
      return false
    }
  }
  while (p[pi] === '*') pi++
  return pi === p.length
}

/**
 * The n-th number (from 1) of seeded(seed), computed directly: mulberry32's state after n draws
 * is seed + n × its increment, so a shared store keeps only how many were drawn.
 */
export function randomAt (seed: number, n: number): number {
  let t = (seed + Math.imul(n, 0x6D2B79F5)) >>> 0
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** mulberry32: small, fast and good enough to make "probability with a seed" reproducible. */
function seeded (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export class RuleBook {
  readonly #byMerchant = new Map<string, Compiled[]>()

  add (input: RuleInput, createdAt: string): Rule {
    const effects = [input.outcome, input.fault, input.notification].filter((e) => e !== undefined)
    if (effects.length !== 1) {
      throw VALIDATION_FAILED('a rule has exactly one effect: outcome, fault or notification', { field: 'outcome' })
    }
    const outcome = input.outcome === undefined ? undefined : parseOutcome(input.outcome, 'outcome')
    const fault = input.fault === undefined ? undefined : parseFault(input.fault, 'fault')
    const notification = input.notification === undefined ? undefined : parseNotificationFault(input.notification, 'notification')
    const match = input.match ?? {}
    const rule: Rule = {
      id: newId('rule', 12),
      merchant_id: input.merchant_id,
      match,
      outcome: outcome === undefined ? null : formatOutcome(outcome),
      fault: fault === undefined ? null : formatFault(fault),
      notification: notification === undefined ? null : formatNotificationFault(notification),
      times: input.times ?? null,
      probability: input.probability ?? null,
      seed: input.seed ?? Math.floor(Math.random() * 2 ** 31),
      hits: 0,
      created_at: createdAt
    }
    this.store(compile(rule, { outcome, fault, notification }))
    return rule
  }

  /** Keeps a new rule. */
  protected store (compiled: Compiled): void {
    const list = this.#byMerchant.get(compiled.rule.merchant_id) ?? []
    list.push(compiled)
    this.#byMerchant.set(compiled.rule.merchant_id, list)
  }

  /** A merchant's rules, in the order they were made. */
  protected compiledOf (merchantId: string): Iterable<Compiled> {
    return this.#byMerchant.get(merchantId) ?? []
  }

  /** Whether hits were counted that are to be committed before acting on them (a shared store's; see shared-rules.ts). */
  takeHits (): boolean { return false }

  /** The next number of a `probability` rule's seeded sequence. */
  protected draw (c: Compiled): number {
    return c.random()
  }

  /** Counts a hit on a rule that applies. */
  protected hit (c: Compiled): void {
    c.rule.hits++
  }

  list (merchantId?: string): Rule[] {
    const lists = merchantId === undefined ? [...this.#byMerchant.values()] : [this.#byMerchant.get(merchantId) ?? []]
    return lists.flat().map((c) => c.rule)
  }

  delete (id: string): boolean {
    for (const [merchant, list] of this.#byMerchant) {
      const i = list.findIndex((c) => c.rule.id === id)
      if (i >= 0) { list.splice(i, 1); if (list.length === 0) this.#byMerchant.delete(merchant); return true }
    }
    return false
  }

  reset (merchantId: string): number {
    const n = this.#byMerchant.get(merchantId)?.length ?? 0
    this.#byMerchant.delete(merchantId)
    return n
  }

  /**
   * The first live rule of each effect kind that matches; counts a hit on those. `want` leaves out
   * a kind that cannot apply (an outcome on a query, a fault the header already chose), so that
   * such a request neither counts as a hit nor uses up `times`.
   */
  evaluate (req: RuleRequest, want = { outcome: true, fault: true }): { outcome?: { value: Outcome, rule: Rule }, fault?: { value: FaultSpec, rule: Rule } } {
    const result: ReturnType<RuleBook['evaluate']> = {}
    for (const c of this.compiledOf(req.merchantId)) {
      if (c.notification !== undefined) continue
      const kind = c.fault !== undefined ? 'fault' : 'outcome'
      if (!want[kind] || result[kind] !== undefined || !matches(c, req) || !this.#live(c)) continue
      if (c.fault !== undefined) result.fault = { value: c.fault, rule: c.rule }
      else if (c.outcome !== undefined) result.outcome = { value: c.outcome, rule: c.rule }
    }
    return result
  }

  /** The first live notification rule that matches an event; counts a hit on it. */
  evaluateNotification (req: NotificationRuleRequest): { value: NotificationFault, rule: Rule } | undefined {
    for (const c of this.compiledOf(req.merchantId)) {
      if (c.notification === undefined) continue
      if (c.eventType !== undefined && !c.eventType.test(req.eventType)) continue
      if (c.order !== undefined && !c.order.test(req.merchantOrderId)) continue
      if (c.rule.match.amount !== undefined && c.rule.match.amount !== req.amount) continue
      if (this.#live(c)) return { value: c.notification, rule: c.rule }
    }
    return undefined
  }

  /** Whether a matching rule applies this time (times, probability); counts the hit if so. */
  #live (c: Compiled): boolean {
    if (c.rule.times !== null && c.rule.hits >= c.rule.times) return false
    if (c.rule.probability !== null && this.draw(c) >= c.rule.probability) return false
    this.hit(c)
    return true
  }
}

/**
 * A rule with its globs made into regular expressions and its seeded random sequence; `parsed`:
 * its effect as parsed already (a rule read from a store is parsed from its text).
 */
export function compile (rule: Rule, parsed: { outcome?: Outcome | undefined, fault?: FaultSpec | undefined, notification?: NotificationFault | undefined } = {}): Compiled {
  const compiled: Compiled = { rule, random: seeded(rule.seed) }
  const match = rule.match
  const outcome = parsed.outcome ?? (rule.outcome === null ? undefined : parseOutcome(rule.outcome, 'outcome'))
  const fault = parsed.fault ?? (rule.fault === null ? undefined : parseFault(rule.fault, 'fault'))
  const notification = parsed.notification ?? (rule.notification === null ? undefined : parseNotificationFault(rule.notification, 'notification'))
  if (outcome !== undefined) compiled.outcome = outcome
  if (fault !== undefined) compiled.fault = fault
  if (notification !== undefined) compiled.notification = notification
  if (match.event_type !== undefined) compiled.eventType = compileGlob(match.event_type)
  if (match.path !== undefined) compiled.path = compileGlob(match.path)
  if (match.merchant_order_id !== undefined) compiled.order = compileGlob(match.merchant_order_id)
  return compiled
}

function matches (c: Compiled, req: RuleRequest): boolean {
  const m = c.rule.match
  if (m.method !== undefined && m.method.toUpperCase() !== req.method.toUpperCase()) return false
  if (c.path !== undefined && !c.path.test(req.path)) return false
  if (c.order !== undefined && (req.merchantOrderId === undefined || !c.order.test(req.merchantOrderId))) return false
  if (m.amount !== undefined && m.amount !== req.amount) return false
  if (m.header !== undefined) {
    const v = req.headers[m.header.name.toLowerCase()]
    const value = Array.isArray(v) ? v[0] : v
    if (value === undefined || (m.header.value !== undefined && value !== m.header.value)) return false
  }
  return true
}
