// What the schema cannot say about a scenario: one action per step, every `${…}` defined before
// it is used, faker calls that exist, rule texts the gateway will accept, and matcher shapes.
import type { Faker } from '@faker-js/faker'
import { loadFaker, newFaker } from './faker.js'
import { parseFault } from '../../gateway/engine/faults.js'
import { parseOutcome } from '../../gateway/engine/outcomes.js'
import { parseNotificationFault } from '../../gateway/engine/notification-faults.js'
import { matcherProblems } from './matcher-shapes.js'
import { parseExpr, references } from './template.js'
import { suggest, type SchemaProblem } from './schema.js'

export const MODIFIERS = new Set(['name', 'capture', 'check', 'within', 'every', 'took'])
/** Names every scenario has: `${merchant.id}`, `${gateway.url}`, `${env.X}`, … */
export const BUILT_INS = ['merchant', 'gateway', 'shop', 'scenario', 'env', 'clock', 'uid']

let faker: Faker | undefined

/** Loads faker for lint() if the document calls it anywhere (a key or a value): only then. */
export async function prepareLint (doc: unknown): Promise<void> {
  if (faker === undefined && callsFaker(doc)) {
    await loadFaker()
    faker = newFaker()
  }
}

function callsFaker (doc: unknown): boolean {
  try {
    return JSON.stringify(doc)?.includes('faker.') === true
  } catch {
    return true // not JSON (a cycle of YAML aliases): load it rather than guess
  }
}

type Doc = Record<string, unknown>

export function lint (doc: Doc, known: string[] = []): SchemaProblem[] {
  const problems: SchemaProblem[] = []
  const defined = new Set([...BUILT_INS, ...known])
  const saved = new Set<string>()

  const vars = (doc.vars ?? {}) as Record<string, unknown>
  for (const [name, value] of Object.entries(vars)) {
    refs(value, ['vars', name], defined, problems)
    defined.add(name)
  }
  const steps = Array.isArray(doc.steps) ? doc.steps as Doc[] : []
  steps.forEach((step, i) => {
    const at = ['steps', i] as Array<string | number>
    const actions = Object.keys(step).filter((k) => !MODIFIERS.has(k))
    if (actions.length !== 1) {
      problems.push({ path: at, message: actions.length === 0 ? 'the step has no action (shop.order, gateway.rule, http, expect.order, …)' : `one action per step, not ${actions.join(' and ')}` })
      return
    }
    const kind = actions[0] as string
    const args = step[kind]
    for (const [key, value] of Object.entries(step)) if (key !== 'capture') refs(value, [...at, key], defined, problems)
    if (kind === 'gateway.rule') ruleTexts(args as Doc, [...at, kind], problems)
    problems.push(...matcherProblems(kind, args, step.check, at))
    if (kind === 'gateway.request') {
      const { replay, save_as: saveAs } = args as { replay?: string, save_as?: string }
      if (replay !== undefined && !saved.has(replay)) problems.push({ path: [...at, kind, 'replay'], message: `replay: no earlier gateway.request was saved as "${replay}"${suggest(replay, [...saved])}` })
      if (saveAs !== undefined) saved.add(saveAs)
    }
    if (kind === 'set') for (const name of Object.keys(args as Doc)) defined.add(name)
    if (kind === 'wechatpay.merchant') defined.add('wechatpay')
    for (const name of Object.keys(step.capture ?? {})) defined.add(name)
  })
  return problems
}

function refs (value: unknown, path: Array<string | number>, defined: Set<string>, problems: SchemaProblem[]): void {
  if (typeof value === 'string') {
    try {
      for (const ref of references(value)) {
        const expr = parseExpr(ref.expr)
        if (expr.kind === 'faker') {
          if (faker === undefined) throw new Error('internal: lint() without prepareLint() of a document that calls faker')
          const mod = (faker as unknown as Record<string, Record<string, unknown>>)[expr.module]
          if (typeof mod?.[expr.method] !== 'function') problems.push({ path, message: `\${${ref.expr}}: faker has no ${expr.module}.${expr.method}` })
        } else if (!defined.has(expr.root)) {
          problems.push({ path, message: `\${${ref.expr}}: "${expr.root}" is not defined before this point${suggest(expr.root, [...defined])}` })
        }
      }
    } catch (err) {
      problems.push({ path, message: (err as Error).message })
    }
    return
  }
  if (Array.isArray(value)) value.forEach((v, i) => refs(v, [...path, i], defined, problems))
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) { refs(k, path, defined, problems); refs(v, [...path, k], defined, problems) }
  }
}

function ruleTexts (rule: Doc, path: Array<string | number>, problems: SchemaProblem[]): void {
  const effects = ['outcome', 'fault', 'notification'].filter((k) => rule[k] !== undefined)
  if (effects.length !== 1) problems.push({ path, message: `a rule needs exactly one of outcome, fault or notification${effects.length > 1 ? `, not ${effects.join(' and ')}` : ''}` })
  const parsers: Record<string, (text: string, field: string) => unknown> = { outcome: parseOutcome, fault: parseFault, notification: parseNotificationFault }
  for (const effect of effects) {
    const text = rule[effect] as string
    if (text.includes('${')) continue
    try { parsers[effect]?.(text, effect) } catch (err) { problems.push({ path: [...path, effect], message: (err as Error).message }) }
  }
}
