// Sandbox rules when several gateways share one store: the rules and their hit counts are records
// of the store, so a rule made on one gateway applies on all, and `times: 3` means three hits in
// all. A hit is a change of the rule's record like any other: two gateways counting the same hit
// at once conflict, one is refused and decides again on the count the other left.
//
// A `probability` rule's place in its seeded sequence is shared too: the record keeps how many
// numbers were drawn (`draws`, not shown), each draw is a change committed with the decision it
// made, and the n-th number is computed from the seed (randomAt). A seeded scenario makes the same
// decisions on one gateway or on three, and on the embedded store.
import type { Db } from './db.js'
import { compile, randomAt, RuleBook, type Compiled, type Rule } from './rules.js'

/** A rule as the shared store keeps it. */
type StoredRule = Rule & { draws?: number }

export class SharedRuleBook extends RuleBook {
  readonly #db: Db
  /** Rule id → its compiled globs and random sequence; the rule itself is read from the table each time. */
  readonly #compiled = new Map<string, Compiled>()
  /** Hits and draws counted since the last takeHits(). */
  #hits = 0

  constructor (db: Db) {
    super()
    this.#db = db
  }

  protected override store (compiled: Compiled): void {
    this.#db.put('rules', compiled.rule.id, compiled.rule)
    this.#compiled.set(compiled.rule.id, compiled)
  }

  protected override * compiledOf (merchantId: string): Iterable<Compiled> {
    for (const rule of this.#db.tables.rules.values()) {
      if (rule.merchant_id !== merchantId) continue
      let c = this.#compiled.get(rule.id)
      if (c === undefined) this.#compiled.set(rule.id, c = compile(rule))
      c.rule = rule
      yield c
    }
  }

  protected override draw (c: Compiled): number {
    const n = ((c.rule as StoredRule).draws ?? 0) + 1
    c.rule = this.#db.put('rules', c.rule.id, { ...c.rule, draws: n } as StoredRule)
    this.#hits++
    return randomAt(c.rule.seed, n)
  }

  protected override hit (c: Compiled): void {
    // A new record, never a change in place: the store's undo puts the previous one back.
    c.rule = this.#db.put('rules', c.rule.id, { ...c.rule, hits: c.rule.hits + 1 })
    this.#hits++
  }

  /** Whether hits were counted since the last call (they are to be committed before acting on them). */
  override takeHits (): boolean {
    const hit = this.#hits > 0
    this.#hits = 0
    return hit
  }

  override list (merchantId?: string): Rule[] {
    return [...this.#db.tables.rules.values()].filter((r) => merchantId === undefined || r.merchant_id === merchantId)
      .map(({ draws: _draws, ...rule }: StoredRule) => rule)
  }

  override delete (id: string): boolean {
    if (!this.#db.tables.rules.has(id)) return false
    this.#db.delete('rules', id)
    this.#compiled.delete(id)
    return true
  }

  override reset (merchantId: string): number {
    const gone = this.list(merchantId)
    for (const rule of gone) this.delete(rule.id)
    return gone.length
  }
}
