// One HTTP exchange with a time limit, with every way it can fail turned into a typed error.
import { PaylabNetworkError, PaylabTimeoutError } from './errors.js'

export interface RawAnswer { status: number, headers: Headers, body: Buffer }

export async function exchange (fetchFn: typeof fetch, url: string, init: RequestInit, timeoutMs: number): Promise<RawAnswer> {
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    const res = await fetchFn(url, { ...init, signal, redirect: 'manual' })
    // The whole body must arrive in time too: a dribbled answer can outlast the limit.
    const body = Buffer.from(await res.arrayBuffer())
    return { status: res.status, headers: res.headers, body }
  } catch (err) {
    throw toTransportError(err, timeoutMs)
  }
}

function toTransportError (err: unknown, timeoutMs: number): Error {
  const e = err as Error & { cause?: { code?: string, message?: string } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new PaylabTimeoutError(`no answer within ${timeoutMs} ms`)
  const code = e.cause?.code ?? (e as { code?: string }).code
  const detail = e.cause?.message ?? e.message
  return new PaylabNetworkError(`the connection failed: ${code ?? ''} ${detail}`.trim(), code)
}
