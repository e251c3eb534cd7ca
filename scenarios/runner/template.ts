// `${…}` in scenario values: variables (`${order}`, `${payment.id}`), built-ins (`${merchant.id}`,
// `${env.HOME}`, `${uid}`) and seeded faker calls (`${faker.person.firstName}`,
// `${faker.number.int({"min": 1, "max": 9})}`). A string that is one reference alone takes the
// referenced value as it is (a number stays a number); otherwise the parts are joined as text.
// `$${` writes a literal `${`.

export interface Reference {
  /** The text between `${` and `}`. */
  expr: string
  start: number
  end: number
}

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+|\[\d+\])*$/
const FAKER = /^faker\.([A-Za-z]+)\.([A-Za-z]+)(?:\((.*)\))?$/s

/** The references in a string, with their braces balanced (faker arguments may hold `{…}`). */
export function references (text: string): Reference[] {
  const out: Reference[] = []
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$' || text[i + 1] !== '{') continue
    if (text[i - 1] === '$') continue // `$${` is an escaped `${`
    let depth = 0
    let j = i + 1
    for (; j < text.length; j++) {
      if (text[j] === '{') depth++
      else if (text[j] === '}' && --depth === 0) break
    }
    if (j >= text.length) throw new SyntaxError(`"${text.slice(i)}" has no closing }`)
    out.push({ expr: text.slice(i + 2, j).trim(), start: i, end: j + 1 })
    i = j
  }
  return out
}

export interface ParsedExpr { kind: 'path', root: string, segments: string[] }
export interface FakerExpr { kind: 'faker', module: string, method: string, args: unknown[] }

/** Checks the syntax of one reference; throws SyntaxError with what is wrong. */
export function parseExpr (expr: string): ParsedExpr | FakerExpr {
  const faker = FAKER.exec(expr)
  if (faker !== null) {
    let args: unknown[] = []
    if (faker[3] !== undefined && faker[3].trim() !== '') {
      try { args = JSON.parse(`[${faker[3]}]`) as unknown[] } catch { throw new SyntaxError(`\${${expr}}: faker arguments must be JSON, e.g. faker.number.int({"min": 1, "max": 9})`) }
    }
    return { kind: 'faker', module: faker[1] as string, method: faker[2] as string, args }
  }
  if (!PATH.test(expr)) throw new SyntaxError(`\${${expr}} is not a variable reference (name, name.field, name[0]) or a faker call`)
  const segments = expr.match(/[A-Za-z0-9_]+/g) as string[]
  return { kind: 'path', root: segments[0] as string, segments }
}

export type Resolver = (expr: ParsedExpr | FakerExpr, text: string) => unknown

/** Replaces the references in every string of a value (keys too), deeply. */
export function interpolate (value: unknown, resolve: Resolver): unknown {
  if (typeof value === 'string') return interpolateString(value, resolve)
  if (Array.isArray(value)) return value.map((v) => interpolate(v, resolve))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [interpolateString(k, resolve, true), interpolate(v, resolve)]))
  }
  return value
}

function interpolateString (text: string, resolve: Resolver, asText = false): unknown {
  const refs = references(text)
  const unescape = (s: string): string => s.replaceAll('$${', '${')
  if (refs.length === 0) return unescape(text)
  const first = refs[0] as Reference
  if (!asText && refs.length === 1 && first.start === 0 && first.end === text.length) return resolve(parseExpr(first.expr), text)
  let out = ''
  let at = 0
  for (const ref of refs) {
    out += unescape(text.slice(at, ref.start)) + show(resolve(parseExpr(ref.expr), text))
    at = ref.end
  }
  return out + unescape(text.slice(at))
}

const show = (v: unknown): string => typeof v === 'string' ? v : JSON.stringify(v)

/** Every reference in every string of a value (keys too), for checks before running. */
export function allReferences (value: unknown): string[] {
  if (typeof value === 'string') return references(value).map((r) => r.expr)
  if (Array.isArray(value)) return value.flatMap(allReferences)
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [...allReferences(k), ...allReferences(v)])
  return []
}
