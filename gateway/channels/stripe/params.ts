// Reading Stripe's parameters off a parsed form: every value arrives as text, so integers are
// checked as digits (never through a float) and every refusal names its parameter as Stripe does.
import { invalidRequest } from './errors.js'
import type { Params } from './form.js'

const own = (p: Params, name: string): unknown => Object.hasOwn(p, name) ? p[name] : undefined

/** Refuses parameters the route does not know, as Stripe does ("Received unknown parameter"). */
export function only (p: Params, known: readonly string[], unsupported: Readonly<Record<string, string>> = {}): void {
  for (const name of Object.keys(p)) {
    if (Object.hasOwn(unsupported, name)) throw invalidRequest(`paylab does not simulate ${unsupported[name] as string}: remove the parameter ${name}.`, name, 'parameter_unknown')
    if (!known.includes(name)) throw invalidRequest(`Received unknown parameter: ${name}`, name, 'parameter_unknown')
  }
}

export function str (p: Params, name: string, required = false): string | undefined {
  const v = own(p, name)
  if (v === undefined) {
    if (required) throw invalidRequest(`Missing required param: ${name}.`, name, 'parameter_missing')
    return undefined
  }
  if (typeof v !== 'string') throw invalidRequest(`Invalid string: ${name} must be a string.`, name, 'parameter_invalid_string')
  if (v.length > 5000) throw invalidRequest(`Invalid string: ${name} is longer than 5000 characters.`, name, 'parameter_invalid_string')
  return v
}

export function int (p: Params, name: string, required = false): number | undefined {
  const v = str(p, name, required)
  if (v === undefined) return undefined
  if (!/^\d{1,15}$/.test(v)) throw invalidRequest(`Invalid integer: ${v}`, name, 'parameter_invalid_integer')
  return Number(v)
}

export function bool (p: Params, name: string): boolean | undefined {
  const v = str(p, name)
  if (v === undefined) return undefined
  if (v !== 'true' && v !== 'false') throw invalidRequest(`Invalid boolean: ${v}`, name, 'parameter_invalid_boolean')
  return v === 'true'
}

export function oneOf<T extends string> (p: Params, name: string, values: readonly T[]): T | undefined {
  const v = str(p, name)
  if (v === undefined) return undefined
  if (!(values as readonly string[]).includes(v)) throw invalidRequest(`Invalid ${name}: must be one of ${values.join(', ')}`, name, 'parameter_invalid_string')
  return v as T
}

export function list (p: Params, name: string): string[] | undefined {
  const v = own(p, name)
  if (v === undefined) return undefined
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidRequest(`Invalid array: ${name}`, name, 'parameter_invalid_array')
  return v as string[]
}

export function hash (p: Params, name: string): Params | undefined {
  const v = own(p, name)
  if (v === undefined || v === '') return undefined
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidRequest(`Invalid hash: ${name}`, name, 'parameter_invalid_hash')
  return v as Params
}

/**
 * `metadata[k]=v` as Stripe takes it: up to 50 keys of 40 characters, values of 500; on update
 * a key set to '' is removed and `metadata=` clears all. Returns the merged record.
 */
export function metadata (p: Params, current: Readonly<Record<string, string>> = {}): Record<string, string> | undefined {
  const v = own(p, 'metadata')
  if (v === undefined) return undefined
  const next = new Map(Object.entries(current))
  if (v === '') return {}
  const given = hash(p, 'metadata') as Params
  for (const [key, value] of Object.entries(given)) {
    if (typeof value !== 'string') throw invalidRequest(`Invalid metadata[${key}]: must be a string.`, `metadata[${key}]`, 'parameter_invalid_string')
    if (key.length > 40 || value.length > 500) throw invalidRequest('Metadata keys are at most 40 characters and values at most 500.', `metadata[${key}]`, 'parameter_invalid_string')
    if (value === '') next.delete(key)
    else next.set(key, value)
  }
  if (next.size > 50) throw invalidRequest('Metadata can have at most 50 keys.', 'metadata', 'parameter_invalid_string')
  return Object.fromEntries(next)
}

/** `limit` (1–100, default 10) and `starting_after` of a list request. */
export function paging (p: Params): { limit: number, startingAfter: string | undefined } {
  const limit = int(p, 'limit') ?? 10
  if (limit < 1 || limit > 100) throw invalidRequest('Invalid limit: must be between 1 and 100', 'limit', 'parameter_invalid_integer')
  return { limit, startingAfter: str(p, 'starting_after') }
}
