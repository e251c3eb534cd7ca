// Forms posted to the dashboard: parsed into URLSearchParams (never a plain object that request
// keys could index), read one named field at a time.
import type { FastifyInstance } from 'fastify'
import { BODY_LIMIT } from '../plugins/raw-body.js'

export function formParser (app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => {
    done(null, new URLSearchParams(body as string))
  })
}

/** One field of a posted form (or of a JSON object), trimmed; undefined when absent or empty. */
export function field (body: unknown, name: string): string | undefined {
  let value: unknown
  if (body instanceof URLSearchParams) value = body.get(name)
  else if (typeof body === 'object' && body !== null && Object.hasOwn(body, name)) value = (body as Record<string, unknown>)[name]
  if (typeof value === 'number') return String(value)
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  return trimmed === '' ? undefined : trimmed
}

/** Query filters: only the named keys, only non-empty strings. */
export function filters<K extends string> (query: unknown, names: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {}
  for (const name of names) {
    const v = field(query, name)
    if (v !== undefined) out[name] = v
  }
  return out
}
