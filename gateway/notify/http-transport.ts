// Delivers notifications over HTTP with Node's fetch: a 2xx within the timeout is a delivery,
// anything else (status, refused connection, timeout) is a failed attempt to retry.
import type { DeliveryRequest, DeliveryResult, NotificationTransport } from '../engine/outbox.js'

export const httpTransport: NotificationTransport = {
  async deliver (request: DeliveryRequest, timeoutMs: number): Promise<DeliveryResult> {
    try {
      const res = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs)
      })
      await res.arrayBuffer().catch(() => undefined) // drain, so the connection can be reused
      return { status: res.status, error: res.ok ? null : `HTTP ${res.status}` }
    } catch (err) {
      const e = err as Error & { cause?: { code?: string, message?: string } }
      if (e.name === 'TimeoutError') return { status: null, error: `no answer within ${timeoutMs} ms` }
      return { status: null, error: e.cause?.code ?? e.cause?.message ?? e.message }
    }
  }
}
