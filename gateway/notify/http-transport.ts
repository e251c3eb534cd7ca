// Delivers notifications over HTTP with Node's fetch. The answer's status and (the start of) its
// body go back to the outbox, whose channel codec says whether they acknowledge the notification;
// a refused connection or a timeout is a failed attempt to retry.
import type { DeliveryRequest, DeliveryResult, NotificationTransport } from '../engine/outbox.js'

const MAX_BODY = 1024

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
      // Read to the end, so the connection can be reused; only the start matters (Alipay's `success`).
      const body = await res.text().then((text) => text.slice(0, MAX_BODY), () => '')
      return { status: res.status, error: res.ok ? null : `HTTP ${res.status}`, body }
    } catch (err) {
      const e = err as Error & { cause?: { code?: string, message?: string } }
      if (e.name === 'TimeoutError') return { status: null, error: `no answer within ${timeoutMs} ms` }
      return { status: null, error: e.cause?.code ?? e.cause?.message ?? e.message }
    }
  }
}
