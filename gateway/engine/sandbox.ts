// The sandbox controls beside the payment engine: rules, per-request scenarios, magic-amount
// faults, the request journal and the clock. Adapters ask `decide()` what to do with a request
// and carry the fault out on their own transport.
import { isoTime, VirtualClock } from './clock.js'
import type { EngineContext } from './context.js'
import { CLOCK_NOT_VIRTUAL, VALIDATION_FAILED } from './errors.js'
import { FAULT_AMOUNTS, FAULTS, formatFault, parseFault, type FaultSpec } from './faults.js'
import { Journal } from './journal.js'
import { formatOutcome, parseOutcome, type Outcome } from './outcomes.js'
import { RuleBook, type RuleInput, type RuleRequest } from './rules.js'
import { SharedRuleBook } from './shared-rules.js'

export interface Decision {
  fault?: FaultSpec
  outcome?: Outcome
  /** Where the decision came from: `header`, `amount`, or a rule id. */
  faultSource?: string
  outcomeSource?: string
}

export interface DecideRequest extends RuleRequest {
  /** The `Paylab-Scenario` header: `<fault>[;param]` or `outcome=<outcome>`. */
  scenario?: string | undefined
  /** Magic amounts apply to creates only. */
  isCreate: boolean
}

/** 100 years. */
const MAX_ADVANCE_MS = 3_153_600_000_000

export class Sandbox {
  readonly rules: RuleBook
  readonly journal: Journal
  readonly #ctx: EngineContext
  readonly #runDue: () => void
  readonly #settle: () => Promise<void>

  constructor (ctx: EngineContext, runDue: () => void, settle: () => Promise<void>, journalCapacity?: number) {
    this.#ctx = ctx
    this.#runDue = runDue
    this.#settle = settle
    this.journal = new Journal(journalCapacity)
    this.rules = ctx.db.shared ? new SharedRuleBook(ctx.db) : new RuleBook()
  }

  addRule (input: RuleInput) {
    if (this.#ctx.db.get('merchants', input.merchant_id) === undefined) {
      throw VALIDATION_FAILED(`merchant_id ${JSON.stringify(input.merchant_id)} is not a merchant`, { field: 'merchant_id' })
    }
    return this.rules.add(input, isoTime(this.#ctx.clock))
  }

  decide (req: DecideRequest): Decision {
    const decision: Decision = {}
    const scenario = req.scenario?.trim()
    if (scenario !== undefined && scenario !== '') {
      if (scenario.startsWith('outcome=')) {
        decision.outcome = parseOutcome(scenario.slice('outcome='.length), 'Paylab-Scenario')
        decision.outcomeSource = 'header'
      } else {
        decision.fault = parseFault(scenario)
        decision.faultSource = 'header'
      }
    }
    // A header's choice is not a rule's hit.
    const ruled = this.rules.evaluate(req, { fault: decision.fault === undefined, outcome: false })
    if (decision.fault === undefined && ruled.fault !== undefined) {
      decision.fault = ruled.fault.value
      decision.faultSource = ruled.fault.rule.id
    }
    const byAmount = req.isCreate && req.amount !== undefined && Object.hasOwn(FAULT_AMOUNTS, req.amount) ? FAULT_AMOUNTS[req.amount] : undefined
    if (decision.fault === undefined && byAmount !== undefined) {
      decision.fault = byAmount
      decision.faultSource = 'amount'
    }
    // Outcomes shape creates only, and only those processed: a request refused by its fault
    // neither takes an outcome rule's hit nor uses up its `times`.
    const processed = decision.fault === undefined || FAULTS[decision.fault.name].committed
    const ruledOutcome = this.rules.evaluate(req, { fault: false, outcome: processed && decision.outcome === undefined && req.isCreate }).outcome
    if (decision.outcome === undefined && ruledOutcome !== undefined) {
      decision.outcome = ruledOutcome.value
      decision.outcomeSource = ruledOutcome.rule.id
    }
    return decision
  }

  describe (d: Decision): { fault: string | null, outcome: string | null, rule_id: string | null } {
    const rule = [d.faultSource, d.outcomeSource].find((s) => s?.startsWith('rule_'))
    return {
      fault: d.fault === undefined ? null : formatFault(d.fault),
      outcome: d.outcome === undefined ? null : formatOutcome(d.outcome),
      rule_id: rule ?? null
    }
  }

  clock () {
    return { now: isoTime(this.#ctx.clock), now_ms: this.#ctx.clock.now(), mode: this.#ctx.clock instanceof VirtualClock ? 'virtual' : 'real', next_due: this.#nextDue() }
  }

  /**
   * Moves a virtual clock forward, firing every task due on the way, in order, each at its own
   * time; what a task starts (a notification attempt) finishes before the clock moves on, so a
   * day of retries takes as long as the attempts themselves.
   */
  async advance (ms: number) {
    const clock = this.#ctx.clock
    if (!(clock instanceof VirtualClock)) throw CLOCK_NOT_VIRTUAL()
    // A bound far beyond any test (a duration string has none of its own): a clock moved past
    // what a Date can hold breaks every page and answer that shows time.
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_ADVANCE_MS) throw VALIDATION_FAILED(`ms must be a whole number from 0 to ${MAX_ADVANCE_MS} (100 years)`, { field: 'ms' })
    const target = clock.now() + ms
    await this.#settle() // an attempt under way may yet schedule its retry
    for (let next = this.#ctx.scheduler.nextAt(); next !== undefined && next <= target; next = this.#ctx.scheduler.nextAt()) {
      if (next > clock.now()) this.#setClock(clock, next)
      this.#runDue()
      await this.#settle()
    }
    this.#setClock(clock, target)
    return this.clock()
  }

  /** Moves the clock; with a shared store, the other gateways' clocks follow (see engine.ts). */
  #setClock (clock: VirtualClock, ms: number): void {
    clock.set(ms)
    if (this.#ctx.db.shared) this.#ctx.db.put('clock', 'clock', { id: 'clock', now_ms: ms })
  }

  #nextDue (): string | null {
    const at = this.#ctx.scheduler.nextAt()
    return at === undefined ? null : new Date(at).toISOString()
  }
}
