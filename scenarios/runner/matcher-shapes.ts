// Matcher shapes, checked before anything runs: `status: {equals: paid}` reads as a field map
// (status would have to be an object with a field "equals"), so it could only fail at run time
// with "expected an object". Where the value matched is known to be a single value (an HTTP
// status, a count, the order's or the payment's scalar fields), a mapping must be operators; and
// every operator's argument must have the shape the operator takes.
import { isOperatorObject, OPERATORS } from './match.js'
import { suggest, type SchemaProblem } from './schema.js'

type Path = Array<string | number>

/** Fields of the shop's order (GET /api/orders/{id}) that hold a single value. */
const ORDER_SCALARS = new Set(['id', 'status', 'amount', 'currency', 'method', 'payment_id', 'payment_status', 'payment_updated_at', 'next_action_url', 'amount_refunded', 'created_at', 'updated_at'])
/** Fields of the gateway's payment (and expect.gateway's `found`) that hold a single value. */
const PAYMENT_SCALARS = new Set(['id', 'object', 'merchant_id', 'amount', 'currency', 'capture', 'status', 'amount_captured', 'amount_refunded', 'cancellation_reason', 'description', 'notify_url', 'return_url', 'created_at', 'updated_at', 'expires_at', 'found'])
const TYPES = ['string', 'number', 'boolean', 'null', 'array', 'object', 'undefined']
const OPERATOR_LIST = [...OPERATORS].join(', ')

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isTemplate = (v: unknown): boolean => typeof v === 'string' && /^\$\{[^}]+\}$/.test(v)

/** Problems of the matchers in one step (its action's arguments and its `check`). */
export function matcherProblems (kind: string, args: unknown, check: unknown, at: Path): SchemaProblem[] {
  const problems: SchemaProblem[] = []
  const walk = (value: unknown, path: Path, scalar: boolean): void => { shape(value, path, scalar, problems) }
  if (isMapping(check)) {
    const p = [...at, 'check']
    if ('status' in check) walk(check.status, [...p, 'status'], true)
    if ('body' in check) walk(check.body, [...p, 'body'], true)
    if (isMapping(check.headers)) for (const [k, v] of Object.entries(check.headers)) walk(v, [...p, 'headers', k], true)
    if (isMapping(check.json)) for (const [k, v] of Object.entries(check.json)) walk(v, [...p, 'json', k], false)
  }
  if (!isMapping(args)) return problems
  const fields = (skip: string[], scalars: Set<string>, counts: string[]): void => {
    for (const [k, v] of Object.entries(args)) {
      if (!skip.includes(k)) walk(v, [...at, kind, k], scalars.has(k) || counts.includes(k))
    }
  }
  if (kind === 'expect.order') fields(['id', 'within'], ORDER_SCALARS, [])
  if (kind === 'expect.gateway') fields(['merchant_order_id', 'payment_id', 'within'], PAYMENT_SCALARS, ['creates', 'payments'])
  if (kind === 'expect.notifications') fields(['order', 'type', 'within'], new Set(), ['count'])
  if (kind === 'expect.journal') fields(['order', 'method', 'path', 'status', 'after', 'within'], new Set(), ['count'])
  return problems
}

/** `field` names what is matched in the messages (the field, not an operator on the way to it). */
function shape (value: unknown, path: Path, scalar: boolean, problems: SchemaProblem[], field = String(path.at(-1))): void {
  if (Array.isArray(value)) {
    if (scalar) problems.push({ path, message: `${field} holds a single value, which a list cannot match (for one of several values: {in: [a, b]})` })
    else value.forEach((v, i) => shape(v, [...path, i], false, problems))
    return
  }
  if (!isMapping(value)) return
  if (scalar && Object.keys(value).length === 0) {
    problems.push({ path, message: `${field} holds a single value, which an empty mapping cannot match` })
    return
  }
  if (!isOperatorObject(value)) {
    if (!scalar) {
      for (const [k, v] of Object.entries(value)) shape(v, [...path, k], false, problems)
      return
    }
    for (const key of Object.keys(value).filter((k) => !OPERATORS.has(k))) {
      problems.push({ path, key, message: `${field} holds a single value: "${key}" is not an operator${suggest(key, [...OPERATORS])}; give the value itself or operators (${OPERATOR_LIST})` })
    }
    return
  }
  for (const [op, arg] of Object.entries(value)) operator(op, arg, [...path, op], scalar, problems, field)
}

function operator (op: string, arg: unknown, path: Path, scalar: boolean, problems: SchemaProblem[], field: string): void {
  const wrong = (what: string): void => { problems.push({ path, message: `${op}: takes ${what}, not ${JSON.stringify(arg)}` }) }
  if (isTemplate(arg)) return
  switch (op) {
    case 'eq': case 'ne': shape(arg, path, scalar, problems, field); break
    case 'contains': shape(arg, path, false, problems); break
    case 'in':
      if (!Array.isArray(arg)) wrong('a list of values')
      else arg.forEach((v, i) => shape(v, [...path, i], scalar, problems, field))
      break
    case 'gt': case 'gte': case 'lt': case 'lte':
      if (typeof arg !== 'number' && typeof arg !== 'string') wrong('a number or a string')
      break
    case 'match':
      if (typeof arg !== 'string') { wrong('a regular expression'); break }
      try { new RegExp(arg) } catch (err) { problems.push({ path, message: `match: ${(err as Error).message}` }) }
      break
    case 'length': shape(arg, path, true, problems, `the length of ${field}`); break
    case 'exists': if (typeof arg !== 'boolean') wrong('true or false'); break
    case 'type': if (typeof arg !== 'string' || !TYPES.includes(arg)) wrong(`one of ${TYPES.join(', ')}`); break
  }
}
