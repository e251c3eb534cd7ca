// A real notification receiver: a node:http server on port 0 that records every request (raw
// bytes, headers, the gateway clock at arrival) and answers as the test tells it, including not
// at all. `verifying()` is the receiver docs/notifications.md asks merchants to write.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { Test } from 'tap'
import { answerVerifies } from './signer.js'

export interface Received {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
  /** The gateway clock (ms) when the request arrived; the real clock unless `now` was given. */
  at: number
  /** performance.now() at arrival, to order it against a client's timings. */
  arrived: number
  /** What the receiver answered (null while hanging). */
  status: number | null
  json: () => any
}

/** A status to answer (now or later), or 'hang' to keep the request open without a word. */
export type Answer = number | Promise<number> | 'hang'

export interface Receiver {
  url: string
  requests: Received[]
  /** Decides each answer; replace it at any time. */
  answer: (req: Received) => Answer
  /** Resolves once `n` requests arrived in all (rejects after `ms`). */
  waitFor: (n: number, ms?: number) => Promise<Received[]>
  /** Requests that carried this event id, in arrival order. */
  of: (eventId: string) => Received[]
}

export async function receiver (t: Test, options: { now?: () => number, answer?: (req: Received) => Answer, path?: string, host?: string } = {}): Promise<Receiver> {
  const requests: Received[] = []
  const waiters: Array<() => void> = []
  const hanging = new Set<ServerResponse>()
  const rx: Receiver = {
    url: '',
    requests,
    answer: options.answer ?? (() => 200),
    waitFor: (n, ms = 3000) => new Promise((resolve, reject) => {
      const check = (): boolean => { if (requests.length < n) return false; clearTimeout(timer); resolve(requests.slice()); return true }
      const timer = setTimeout(() => reject(new Error(`the receiver got ${requests.length} of ${n} requests within ${ms} ms`)), ms)
      // A waiter is woken by every request until enough have come.
      const waiter = (): void => { if (!check()) waiters.push(waiter) }
      if (!check()) waiters.push(waiter)
    }),
    of: (eventId) => requests.filter((r) => r.headers['paylab-event-id'] === eventId)
  }
  const server = createServer((req, res) => {
    const parts: Buffer[] = []
    req.on('data', (chunk: Buffer) => parts.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(parts)
      const text = body.toString('utf8')
      const received: Received = {
        method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, text,
        at: (options.now ?? Date.now)(), arrived: performance.now(), status: null, json: () => JSON.parse(text)
      }
      requests.push(received)
      const answer = rx.answer(received)
      if (answer === 'hang') hanging.add(res)
      else {
        hanging.add(res)
        void Promise.resolve(answer).then((status) => {
          hanging.delete(res)
          received.status = status
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no')
        })
      }
      for (const wake of waiters.splice(0)) wake()
    })
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  rx.url = `http://${host}:${(server.address() as { port: number }).port}${options.path ?? '/paylab/notify'}`
  t.teardown(() => new Promise<void>((resolve) => {
    for (const res of hanging) res.destroy()
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  return rx
}

/**
 * What a correct receiver checks before it takes an event in: the signature over the raw bytes
 * (HMAC with the merchant's secret, or RSA with the gateway key that Paylab-Key-Id names), and a
 * timestamp within `toleranceSec` of its own clock. Answers 200 or 400.
 */
export function verifying (keys: { secret?: string, gatewayKeys?: Record<string, string> }, now: () => number, toleranceSec = 300): (req: Received) => Answer {
  return (req) => verifies(req, keys, now, toleranceSec) ? 200 : 400
}

export function verifies (req: Received, keys: { secret?: string, gatewayKeys?: Record<string, string> }, now: () => number, toleranceSec = 300): boolean {
  const h = req.headers
  const timestamp = Number(h['paylab-timestamp'])
  if (!Number.isInteger(timestamp) || Math.abs(now() / 1000 - timestamp) > toleranceSec) return false
  if (h['paylab-signature-type'] === 'RSA-SHA256') {
    const publicKeyPem = keys.gatewayKeys?.[String(h['paylab-key-id'])]
    return publicKeyPem !== undefined && answerVerifies(h, req.body, { publicKeyPem })
  }
  return h['paylab-signature-type'] === 'HMAC-SHA256' && answerVerifies(h, req.body, { secret: keys.secret ?? '' })
}
