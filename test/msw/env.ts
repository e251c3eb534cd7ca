// Two homes for one suite of merchant-SDK behaviours: a listening gateway (real sockets) and the
// msw handlers (in-process). Both expose the same small surface to the suite.
import http from 'node:http'
import type { Test } from 'tap'
import { setupServer } from 'msw/node'
import { http as mswHttp, HttpResponse } from 'msw'
import { PaylabClient, type PaylabClientOptions } from '../../merchant/sdk/index.js'
import { buildGateway } from '../../gateway/server.js'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { createPaylabMsw } from '../../gateway/msw/create-paylab-msw.js'
import type { Engine } from '../../gateway/engine/engine.js'
import type { RuleInput } from '../../gateway/engine/rules.js'
import { parseDuration } from '../../gateway/engine/duration.js'
import { PAYLAB_ONLY, testCrypto } from '../helpers/build.js'
import { closeNow } from '../helpers/close.js'

export interface Received { headers: Record<string, string>, body: string }

export interface Env {
  kind: 'socket' | 'msw'
  baseUrl: string
  /** Where notifications for this env's receiver go, and what arrived there. */
  notifyUrl: string
  received: Received[]
  client (extra?: Partial<PaylabClientOptions>): PaylabClient
  addRule (rule: Omit<RuleInput, 'merchant_id'>): Promise<void>
  advance (duration: string): Promise<void>
  paymentsFor (orderId: string): number
  creates (): number
  merchantSecret: string
}

function clientFor (engine: Engine, baseUrl: string, extra: Partial<PaylabClientOptions>): PaylabClient {
  const demo = engine.merchant('demo')
  return new PaylabClient({ baseUrl, merchantId: demo.id, secret: demo.hmac_secret, timeoutMs: 1000, retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...extra })
}

function surface (engine: Engine) {
  return {
    addRule: async (rule: Omit<RuleInput, 'merchant_id'>) => { await engine.addRule({ merchant_id: 'demo', ...rule }) },
    advance: async (duration: string) => { await engine.advanceClock(parseDuration(duration)) },
    paymentsFor: (orderId: string) => engine.findPayments({ merchant_order_id: orderId, limit: Infinity }).filter((p) => p.merchant_order_id === orderId).length,
    creates: () => engine.localJournalCount({ merchant_id: 'demo', method: 'POST', path: '/v1/payments' }),
    merchantSecret: engine.merchant('demo').hmac_secret
  }
}

export async function socketEnv (t: Test): Promise<Env> {
  const received: Received[] = []
  const receiver = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => { received.push({ headers: req.headers as Record<string, string>, body }); res.end('ok') })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const { app, engine } = await buildGateway({ ...PAYLAB_ONLY, memory: true, clock: new VirtualClock(), crypto: testCrypto })
  const baseUrl = new URL(await app.listen({ port: 0, host: '127.0.0.1' })).origin
  engine.setPublicUrl(baseUrl)
  t.teardown(async () => { await closeNow(app); receiver.closeAllConnections(); receiver.close() })
  const notifyUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/notify`
  return { kind: 'socket', baseUrl, notifyUrl, received, client: (extra = {}) => clientFor(engine, baseUrl, extra), ...surface(engine) }
}

export async function mswEnv (t: Test): Promise<Env> {
  const received: Received[] = []
  const notifyUrl = 'https://shop.example/notify'
  // paylab's own protocol and API only: the SDK speaks no other channel's.
  const { handlers, control } = await createPaylabMsw({ notifications: 'fetch', channels: ['paylab'], dashboard: false })
  const server = setupServer(...handlers, mswHttp.post(notifyUrl, async ({ request }) => {
    received.push({ headers: Object.fromEntries(request.headers), body: await request.text() })
    return HttpResponse.text('ok')
  }))
  server.listen({ onUnhandledRequest: 'error' })
  t.teardown(async () => { server.close(); await control.close() })
  return { kind: 'msw', baseUrl: control.baseUrl, notifyUrl, received, client: (extra = {}) => clientFor(control.engine, control.baseUrl, extra), ...surface(control.engine) }
}
