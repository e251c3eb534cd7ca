// A tiny merchant service standing in for "a team's own service", in three builds: a correct one
// (after a failed create it asks the gateway by order id), one that charges twice (it retries
// under a new order id) and one that trusts answers it never verified. It speaks the reference
// shop's JSON API (POST /api/orders, GET /api/orders/:id) and a service's own (POST /configure,
// POST /checkout), and records what /echo receives.
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { encryptCard, PaylabApiError, PaylabClient } from '../../merchant/sdk/index.js'
import { signingHeaders } from '../../merchant/sdk/signing.js'

export type Build = 'correct' | 'double-charge' | 'trusting'

export interface FakeMerchant {
  url: string
  echoes: unknown[]
  configure: (config: Config) => void
}

interface Config { gateway: string, merchant_id: string, secret: string }
interface Order { id: string, status: string, amount: number, payment_id: string | null }

/**
 * `timeoutMs`: how long a create may go unanswered before the service gives up on it (a gateway
 * that holds a create, as timeout_not_processed does, is only waited on that long).
 */
export async function fakeMerchant (t: Test, build: Build, initial?: Config, timeoutMs = 3000): Promise<FakeMerchant> {
  let config = initial
  let n = 0
  const orders = new Map<string, Order>()
  const echoes: unknown[] = []

  /** One signed create, the answer read without any check of its signature. */
  async function rawCreate (c: Config, orderId: string, amount: number, currency: string, number: string) {
    const keys = await new PaylabClient({ baseUrl: c.gateway, merchantId: c.merchant_id, secret: c.secret }).refreshKeys()
    const key = keys.find((k) => k.status === 'active') ?? keys[0]
    if (key === undefined) throw new Error('no gateway key')
    const card = encryptCard({ number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: '123' }, key)
    const body = Buffer.from(JSON.stringify({ merchant_order_id: orderId, amount, currency, method: { type: 'card', card: { encrypted: card } } }))
    const headers = signingHeaders({ merchantId: c.merchant_id, signatureType: 'HMAC-SHA256', secret: c.secret }, 'POST', '/v1/payments', body, Math.floor(Date.now() / 1000))
    const res = await fetch(`${c.gateway}/v1/payments`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: new Uint8Array(body), signal: AbortSignal.timeout(timeoutMs) })
    return { status: res.status, json: JSON.parse(await res.text()) as { id?: string, status?: string } }
  }

  async function checkout (input: { amount?: number, currency?: string, card?: { number?: string } }): Promise<Order> {
    const c = config
    if (c === undefined) throw new Error('not configured')
    const order: Order = { id: `ord_fake${++n}`, status: 'pending_payment', amount: input.amount ?? 1000, payment_id: null }
    orders.set(order.id, order)
    const pay = (orderId: string) => rawCreate(c, orderId, order.amount, input.currency ?? 'USD', input.card?.number ?? '4242424242424242')
    let answer: Awaited<ReturnType<typeof pay>> | undefined
    try { answer = await pay(order.id) } catch { answer = undefined }
    if (answer === undefined || answer.status >= 500) {
      if (build === 'double-charge') {
        // The bug: a failed create is "retried" as a new payment.
        answer = await pay(`${order.id}-retry`).catch(() => undefined)
      } else if (build === 'correct') {
        const found = await new PaylabClient({ baseUrl: c.gateway, merchantId: c.merchant_id, secret: c.secret }).findPaymentByOrder(order.id).catch((err: unknown) => {
          if (err instanceof PaylabApiError) return undefined
          throw err
        })
        if (found !== undefined) answer = { status: 200, json: found }
      }
    }
    // The trusting build (and the others, here) takes the body as it came, signed or not.
    if (answer !== undefined && answer.status < 300) {
      order.payment_id = answer.json.id ?? null
      order.status = answer.json.status === 'succeeded' ? 'paid' : answer.json.status === 'failed' ? 'payment_failed' : 'pending_payment'
    }
    return order
  }

  const server = createServer((req, res) => {
    void (async () => {
      const body = await read(req)
      const send = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
      try {
        if (req.method === 'POST' && req.url === '/configure') { config = body as Config; return send(200, { configured: true }) }
        if (req.method === 'POST' && req.url === '/echo') { echoes.push(body); return send(200, body) }
        if (req.method === 'POST' && (req.url === '/api/orders' || req.url === '/checkout')) return send(201, await checkout(body as never))
        const order = req.method === 'GET' ? orders.get(decodeURIComponent(req.url?.split('/').at(-1) ?? '')) : undefined
        if (order !== undefined) return send(200, order)
        return send(404, { error: { code: 'NOT_FOUND', message: `${req.method ?? ''} ${req.url ?? ''}` } })
      } catch (err) {
        return send(500, { error: { code: 'FAKE_FAILED', message: (err as Error).message } })
      }
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, echoes, configure: (c) => { config = c } }
}

async function read (req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  return text === '' ? {} : JSON.parse(text) as unknown
}
