// Checks a scenario document against scenarios/scenario.schema.json and turns Ajv's errors into
// one plain sentence per place, with the path to that place for the line number.
import { readFileSync } from 'node:fs'
import { Ajv, type ErrorObject } from 'ajv'

export const SCHEMA_PATH = new URL('../scenario.schema.json', import.meta.url)
export const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false })
const validate = ajv.compile(schema)

export interface SchemaProblem {
  /** Path into the document (keys and indexes). */
  path: Array<string | number>
  /** When the problem is a key (unknown field), the key itself. */
  key?: string
  message: string
}

export function checkSchema (doc: unknown): SchemaProblem[] {
  if (validate(doc)) return []
  const errors = validate.errors ?? []
  const byPath = new Map<string, ErrorObject[]>()
  for (const e of errors) {
    const key = e.keyword === 'additionalProperties' ? `${e.instancePath}//${String(e.params.additionalProperty)}` : e.instancePath
    byPath.set(key, [...(byPath.get(key) ?? []), e])
  }
  // An alternative (anyOf) that failed only because a deeper field is wrong says less than that field.
  const paths = [...byPath.keys()]
  const problems: SchemaProblem[] = []
  for (const [key, list] of byPath) {
    const deeper = paths.some((p) => p !== key && p.startsWith(`${key}/`))
    const own = list.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if')
    if (own.length === 0 && deeper) continue
    const path = pointer(list[0]?.instancePath ?? '')
    const first = own[0]
    if (first?.keyword === 'additionalProperties') {
      const name = String(first.params.additionalProperty)
      const known = Object.keys((first.parentSchema as { properties?: object }).properties ?? {})
      problems.push({ path, key: name, message: `unknown field "${name}"${suggest(name, known)}` })
      continue
    }
    // Each missing field is a problem of its own: a file without name and steps reports both.
    const missing = list.some((e) => e.keyword === 'anyOf') ? [] : own.filter((e) => e.keyword === 'required')
    for (const e of missing) problems.push({ path, message: `${name(e.instancePath)}${phrase(e)}` })
    const rest = own.filter((e) => !missing.includes(e))
    if (missing.length === 0 || rest.length > 0) problems.push({ path, message: describe(list, missing.length === 0 ? own : rest) })
  }
  return problems
}

function describe (all: ErrorObject[], own: ErrorObject[]): string {
  const where = name(all[0]?.instancePath ?? '')
  const data = all[0]?.data
  const value = data === undefined || (typeof data === 'object' && data !== null) ? '' : `${JSON.stringify(data)} `
  if (own.length === 0 || all.some((e) => e.keyword === 'anyOf')) {
    const forms = [...new Set(own.map(phrase))]
    return `${where}${value}is none of the allowed forms${forms.length > 0 ? ` (${forms.join('; ')})` : ''}`
  }
  const first = own[0] as ErrorObject
  return `${where}${first.keyword === 'pattern' || first.keyword === 'enum' || first.keyword === 'type' ? value : ''}${phrase(first)}`
}

const TYPES: Record<string, string> = { integer: 'a whole number', number: 'a number', string: 'a string', object: 'a mapping', array: 'a list', boolean: 'true or false', null: 'null' }

function phrase (e: ErrorObject): string {
  const p = e.params as Record<string, unknown>
  const description = (e.parentSchema as { description?: string } | undefined)?.description
  switch (e.keyword) {
    case 'required': return `missing "${String(p.missingProperty)}"`
    case 'enum': return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    case 'const': return `must be ${JSON.stringify(p.allowedValue)}`
    case 'type': return `must be ${String(p.type).split(',').map((t) => TYPES[t] ?? t).join(' or ')}`
    case 'pattern': return description === undefined ? `must match ${String(p.pattern)}` : `is not valid: ${description}`
    default: return e.message ?? e.keyword
  }
}

function name (instancePath: string): string {
  const path = pointer(instancePath)
  const last = path.at(-1)
  return last === undefined ? '' : typeof last === 'number' ? `item ${last + 1}: ` : `${last}: `
}

export function pointer (instancePath: string): Array<string | number> {
  if (instancePath === '') return []
  return instancePath.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~')).map((s) => /^\d+$/.test(s) ? Number(s) : s)
}

/** ` (did you mean "x"?)` for a close known name. */
export function suggest (name: string, known: string[]): string {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1
  for (const k of known) {
    const d = distance(name, k)
    if (d < bestDistance) { best = k; bestDistance = d }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`
}

function distance (a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length] as number
}
