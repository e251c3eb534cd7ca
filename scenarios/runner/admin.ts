// The gateway's admin API, as the runner uses it: merchants, rules, journal, events and clock.
import { jsonHeaders, send } from './http.js'
import { RuntimeProblem, type Answer } from './types.js'
import type { JournalEntry } from '../../gateway/engine/journal.js'

/** A journal entry as GET /admin/journal answers it (the gateway's own type: the runner drives that gateway). */
export type JournalLine = JournalEntry

export class AdminClient {
  constructor (readonly baseUrl: string, readonly token: string) {}

  /** An admin call; the answer is returned whatever its status, except a refused token. */
  async call (method: string, path: string, body?: unknown): Promise<Answer> {
    const answer = await send(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : jsonHeaders) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    if (answer.status === 401) throw new RuntimeProblem(`the gateway at ${this.baseUrl} refused the admin token (give the right one with --admin-token)`)
    return answer
  }

  /** An admin call that must succeed; its JSON. */
  async json<T> (method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call(method, path, body)
    if (answer.status >= 300) {
      const error = (answer.json as { error?: { code?: string, message?: string } } | undefined)?.error
      throw new Error(`${method} ${path} answered ${answer.status}${error === undefined ? '' : ` ${error.code ?? ''}: ${error.message ?? ''}`}`)
    }
    return answer.json as T
  }

  async clockMs (): Promise<number> {
    return (await this.json<{ now_ms: number }>('GET', '/admin/clock')).now_ms
  }

  async journal (query: Record<string, string | number | undefined>): Promise<JournalLine[]> {
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]))
    return (await this.json<{ data: JournalLine[] }>('GET', `/admin/journal?${qs.toString()}`)).data
  }
}

/** A journal entry as one report line. */
export function journalLine (e: JournalLine): string {
  const parts = [
    `#${e.seq}`,
    e.time.slice(11, 23),
    `${e.method} ${e.path}${e.query === null ? '' : `?${e.query}`}`,
    `→ ${e.status ?? 'no answer'}`,
    e.error_code ?? '',
    e.signature !== null && e.signature.verdict !== 'valid' ? `signature=${e.signature.verdict}` : '',
    e.fault === null ? '' : `fault=${e.fault}`,
    e.outcome === null ? '' : `outcome=${e.outcome}`,
    e.idempotency === null ? '' : `idempotency=${e.idempotency}`,
    e.merchant_order_id === null ? '' : `order=${e.merchant_order_id}`
  ]
  return parts.filter((p) => p !== '').join(' ')
}
