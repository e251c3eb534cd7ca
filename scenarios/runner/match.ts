// Matchers: how an expected value in a scenario is compared with what was seen.
//   value            equal (numbers, strings, booleans, null)
//   [a, b]           a list of the same length whose items match in order
//   {field: m, …}    an object whose named fields match (others are ignored)
//   {gte: 2, lt: 5}  an operator object: eq ne gt gte lt lte in match contains length exists type
import { isDeepStrictEqual } from 'node:util'
import type { Mismatch } from './types.js'

export const OPERATORS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'match', 'contains', 'length', 'exists', 'type'])

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

export const isOperatorObject = (v: unknown): v is Record<string, unknown> =>
  isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => OPERATORS.has(k))

/** Mismatches between `seen` and `expected`, with `path` naming where (e.g. `$.status`). */
export function match (seen: unknown, expected: unknown, path: string): Mismatch[] {
  if (isOperatorObject(expected)) return operators(seen, expected, path)
  if (Array.isArray(expected)) {
    if (!Array.isArray(seen)) return [{ path, expected, seen, note: 'expected a list' }]
    if (seen.length !== expected.length) return [{ path, expected, seen, note: `expected ${expected.length} items, saw ${seen.length}` }]
    return expected.flatMap((e, i) => match(seen[i], e, `${path}[${i}]`))
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(seen)) return [{ path, expected, seen, note: 'expected an object' }]
    return Object.entries(expected).flatMap(([k, e]) => match(seen[k], e, `${path}.${k}`))
  }
  return isDeepStrictEqual(seen, expected) ? [] : [{ path, expected, seen }]
}

function operators (seen: unknown, ops: Record<string, unknown>, path: string): Mismatch[] {
  const out: Mismatch[] = []
  const fail = (op: string, want: unknown, note?: string) => out.push({ path, expected: { [op]: want }, seen, ...(note === undefined ? {} : { note }) })
  for (const [op, want] of Object.entries(ops)) {
    switch (op) {
      case 'eq': out.push(...match(seen, want, path)); break
      case 'ne': if (match(seen, want, path).length === 0) fail(op, want); break
      case 'gt': if (!(compare(seen, want) > 0)) fail(op, want); break
      case 'gte': if (!(compare(seen, want) >= 0)) fail(op, want); break
      case 'lt': if (!(compare(seen, want) < 0)) fail(op, want); break
      case 'lte': if (!(compare(seen, want) <= 0)) fail(op, want); break
      case 'in': if (!Array.isArray(want) || !want.some((w) => match(seen, w, path).length === 0)) fail(op, want); break
      case 'match': if (typeof seen !== 'string' || !new RegExp(String(want)).test(seen)) fail(op, want); break
      case 'contains':
        if (typeof seen === 'string') { if (!seen.includes(String(want))) fail(op, want) } else if (!Array.isArray(seen) || !seen.some((s) => match(s, want, path).length === 0)) fail(op, want)
        break
      case 'length': {
        const n = typeof seen === 'string' || Array.isArray(seen) ? seen.length : isPlainObject(seen) ? Object.keys(seen).length : undefined
        if (n === undefined) fail(op, want, 'has no length')
        else out.push(...match(n, want, `${path}.length`))
        break
      }
      case 'exists': if ((seen !== undefined) !== Boolean(want)) fail(op, want); break
      case 'type': if (typeOf(seen) !== want) fail(op, want, `is ${typeOf(seen)}`); break
    }
  }
  return out
}

/** NaN (so every comparison is false) unless both are numbers or both are strings. */
function compare (a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  return NaN
}

const typeOf = (v: unknown): string => v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v
