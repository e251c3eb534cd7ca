// A gateway listening on a real port and a node:http client that reports what the socket did:
// status, headers and the raw bytes with their arrival times, or the error (a TCP reset is a real
// ECONNRESET from `read`, a close without a byte is "socket hang up"). Faults only show this way.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { createHmac } from 'node:crypto'
import type { Test } from 'tap'
import type { GatewayOptions } from '../../gateway/server.js'
import { build, orderId, sharedGateway, type TestGateway } from './build.js'
import { signRequest, type Credentials, type SignOptions } from './signer.js'

export interface Answered {
  ok: true
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
  /** Milliseconds from sending to the first and to the last byte of the body. */
  firstByteMs: number
  ms: number
  chunks: number
  json: () => any
}

export interface Broken { ok: false, error: NodeJS.ErrnoException, ms: number }

export type Exchange = Answered | Broken

export interface RawRequest { method: string, path: string, headers?: Record<string, string>, body?: string, timeoutMs?: number }

export interface LiveGateway extends TestGateway {
  base: string
  port: number
  /** Sends a raw request; resolves with the answer or with the socket's error, never rejects. */
  send: (req: RawRequest) => Promise<Exchange>
  /** Signs (with the gateway's clock, virtual or not) and sends a /v1 request. */
  call: (opts: SignOptions & { timeoutMs?: number }, creds?: Credentials) => Promise<Exchange>
  /** Like call, but fails the test unless an answer came. */
  answer: (opts: SignOptions & { timeoutMs?: number }, creds?: Credentials) => Promise<Answered>
  /** A /pay request signed as the source document's client signs it. */
  pay: (body: Record<string, unknown>, headers?: Record<string, string>) => Promise<Exchange>
  /** POST /v1/payments over the socket; throws unless it answers 200 or 201. */
  create: (body: Record<string, unknown>, headers?: Record<string, string>, creds?: Credentials) => Promise<any>
  /** GET /v1/payments/{id} (or throws). */
  payment: (id: string, creds?: Credentials) => Promise<any>
  /** The buyer's answer on the hosted page: JSON by default, or as a browser's form. */
  cashier: (id: string, fields: Record<string, string>, form?: boolean) => Promise<Answered>
  /** POST /admin/clock/advance with a duration such as `30s`. */
  advance: (duration: string) => Promise<any>
}

/** A create body for a method without a card number. */
export const methodPayment = (type: 'wallet' | 'bank_transfer', amount: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  merchant_order_id: orderId(),
  amount,
  currency: 'USD',
  method: type === 'wallet' ? { type, wallet: { provider: 'alipay' } } : { type },
  ...extra
})

export async function live (t: Test, options: GatewayOptions = {}): Promise<LiveGateway> {
  return await listening(await build(t, options))
}

/**
 * live() on the file's one gateway (sharedGateway in build.ts), listening from its first test:
 * each test is a merchant of its own on it.
 */
export function sharedLive (options: Pick<GatewayOptions, 'channels' | 'dashboard' | 'clock'> = {}): (t: Test) => Promise<LiveGateway> {
  const gateway = sharedGateway(options)
  return async (t) => await listening(await gateway(t))
}

async function listening (gw: TestGateway): Promise<LiveGateway> {
  if (!gw.app.server.listening) await gw.app.listen({ port: 0, host: '127.0.0.1' })
  const port = (gw.app.server.address() as { port: number }).port
  const send = (req: RawRequest): Promise<Exchange> => exchange(port, req)
  const call = (opts: SignOptions & { timeoutMs?: number }, creds: Credentials = gw.demo): Promise<Exchange> => {
    const timestamp = opts.timestamp ?? Math.floor(gw.engine.clock.now() / 1000)
    const { headers, payload } = signRequest(creds, { ...opts, timestamp })
    return send({ method: opts.method, path: opts.path, headers, body: payload, timeoutMs: opts.timeoutMs })
  }
  const answer = async (opts: SignOptions & { timeoutMs?: number }, creds?: Credentials): Promise<Answered> => {
    const out = await call(opts, creds)
    if (!out.ok) throw new Error(`${opts.method} ${opts.path}: no answer (${out.error.message})`)
    return out
  }
  const pay = (body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Exchange> => {
    const text = JSON.stringify(body)
    const signature = createHmac('sha256', 'your-api-key').update(text).digest('hex')
    return send({ method: 'POST', path: '/pay', body: text, headers: { 'content-type': 'application/json', signature, ...headers } })
  }
  const create = async (body: Record<string, unknown>, headers: Record<string, string> = {}, creds?: Credentials): Promise<any> => {
    const res = await answer({ method: 'POST', path: '/v1/payments', body, headers }, creds)
    if (res.status !== 201 && res.status !== 200) throw new Error(`create answered ${res.status}: ${res.text}`)
    return res.json()
  }
  const payment = async (id: string, creds?: Credentials): Promise<any> => {
    const res = await answer({ method: 'GET', path: `/v1/payments/${id}` }, creds)
    if (res.status !== 200) throw new Error(`GET ${id} answered ${res.status}: ${res.text}`)
    return res.json()
  }
  const cashier = async (id: string, fields: Record<string, string>, form = false): Promise<Answered> => {
    const body = form ? new URLSearchParams(fields).toString() : JSON.stringify(fields)
    const out = await send({ method: 'POST', path: `/cashier/${id}`, body, headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' } })
    if (!out.ok) throw new Error(`cashier ${id}: no answer (${out.error.message})`)
    return out
  }
  const advance = async (duration: string): Promise<any> => {
    const res = await gw.admin({ method: 'POST', url: '/admin/clock/advance', payload: { duration } })
    if (res.statusCode !== 200) throw new Error(`advance answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }
  return { ...gw, base: `http://127.0.0.1:${port}`, port, send, call, answer, pay, create, payment, cashier, advance }
}

function exchange (port: number, req: RawRequest): Promise<Exchange> {
  const started = performance.now()
  const elapsed = (): number => performance.now() - started
  return new Promise((resolve) => {
    let settled = false
    const done = (o: Exchange): void => { if (!settled) { settled = true; resolve(o) } }
    // A connection of its own (no keep-alive pool): a fault that kills it touches nothing else.
    const request = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, agent: false }, (res) => {
      const parts: Buffer[] = []
      let firstByteMs = -1
      res.on('data', (chunk: Buffer) => { if (firstByteMs < 0) firstByteMs = elapsed(); parts.push(chunk) })
      res.on('error', (error) => done({ ok: false, error, ms: elapsed() }))
      res.on('aborted', () => done({ ok: false, error: Object.assign(new Error('answer cut off'), { code: 'ECONNRESET' }), ms: elapsed() }))
      res.on('end', () => {
        const body = Buffer.concat(parts)
        const text = body.toString('utf8')
        done({ ok: true, status: res.statusCode ?? 0, headers: res.headers, body, text, firstByteMs, ms: elapsed(), chunks: parts.length, json: () => JSON.parse(text) })
      })
    })
    request.on('error', (error) => done({ ok: false, error, ms: elapsed() }))
    if (req.timeoutMs !== undefined) {
      request.setTimeout(req.timeoutMs, () => request.destroy(Object.assign(new Error('the client gave up waiting'), { code: 'CLIENT_TIMEOUT' })))
    }
    request.end(req.body)
  })
}
