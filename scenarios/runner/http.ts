// One HTTP exchange for a step. A service that cannot be reached at all is a runtime problem
// (exit 3); one that answers late or drops the connection is something the scenario saw.
import { ExpectationFailed, RuntimeProblem, type Answer } from './types.js'

export interface SendOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  timeoutMs?: number
  /** Follow redirects (default: no, the 3xx is the answer). */
  follow?: boolean
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

export async function send (url: string, options: SendOptions = {}): Promise<Answer> {
  const method = options.method ?? 'GET'
  const timeoutMs = options.timeoutMs ?? 10_000
  let res: Response
  try {
    res = await fetch(url, {
      method,
      headers: options.headers ?? {},
      ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : new Uint8Array(options.body) }),
      redirect: options.follow === true ? 'follow' : 'manual',
      signal: AbortSignal.timeout(timeoutMs)
    })
    const text = await res.text()
    return { status: res.status, headers: Object.fromEntries(res.headers), text, json: parse(text) }
  } catch (err) {
    const e = err as Error & { cause?: { code?: string, message?: string } }
    if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new ExpectationFailed(`${method} ${url}: no answer within ${timeoutMs} ms`)
    const code = e.cause?.code
    if (code !== undefined && UNREACHABLE.has(code)) throw new RuntimeProblem(`${method} ${url}: cannot be reached (${code})`)
    if (err instanceof TypeError && e.cause === undefined) throw new RuntimeProblem(`${method} ${url}: ${e.message}`)
    throw new ExpectationFailed(`${method} ${url}: the connection failed (${code ?? e.cause?.message ?? e.message})`)
  }
}

export function parse (text: string): unknown {
  if (text === '') return undefined
  try { return JSON.parse(text) } catch { return undefined }
}

export const jsonHeaders = { 'content-type': 'application/json' }
