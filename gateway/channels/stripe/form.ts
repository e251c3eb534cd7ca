// Stripe's wire: form-encoded bodies (and query strings) with bracket notation, as stripe-node
// writes them (`metadata[k]=v`, `payment_method_types[0]=card`, `expand[]=x`). Parsed by qs into
// objects without a prototype, so that no client key reaches Object.prototype; the limits keep
// a hostile body small in memory.
import qs from 'qs'
import { invalidRequest } from './errors.js'

export type Params = Record<string, unknown>

const OPTIONS: qs.IParseOptions = {
  plainObjects: true,
  allowPrototypes: false,
  depth: 5,
  strictDepth: true,
  arrayLimit: 100,
  parameterLimit: 1000,
  throwOnLimitExceeded: true
}

export function parseForm (text: string): Params {
  if (text === '') return Object.create(null) as Params
  try {
    return qs.parse(text, OPTIONS)
  } catch (err) {
    throw invalidRequest(`The request could not be parsed: ${(err as Error).message}.`)
  }
}

/** The query string of a request URL, parsed the same way. */
export function parseQuery (url: string): Params {
  const at = url.indexOf('?')
  return parseForm(at < 0 ? '' : url.slice(at + 1))
}
