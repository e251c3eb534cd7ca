// The merchant side against a real gateway: `gatewayBench` starts a gateway on port 0 with a
// merchant of its own (so its rules and journal are the test's alone) and makes SDK clients for
// it; `buildPair` adds the reference shop on port 0, wired to that gateway over HTTP, its store
// in a temp dir. Counting is done on the gateway's side: its payments for an order id, and the
// creates its journal saw.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { closeNow } from './close.js'
import type { FastifyInstance } from 'fastify'
import { VirtualClock } from '../../gateway/engine/clock.js'
import type { GatewayOptions } from '../../gateway/server.js'
import type { Payment } from '../../gateway/engine/types.js'
import { PaylabClient, type PaylabClientOptions } from '../../merchant/sdk/index.js'
import { buildShop, listenShop, type ShopOptions } from '../../merchant/shop/server.js'
import type { Shop } from '../../merchant/shop/shop.js'
import type { Order } from '../../merchant/shop/orders.js'
import { live, sharedLive, type LiveGateway } from './live.js'
import { addMerchant } from './merchants.js'

export const CARD = { number: '4242424242424242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: '123' }

/** Fast retries: the backoff is proven by its own test, the others only need it short. */
export const FAST = { retry: { baseDelayMs: 10, maxDelayMs: 50 }, timeoutMs: 3000 }

export interface GatewayBench {
  gw: LiveGateway
  merchant: { id: string, secret: string }
  /** The gateway clock (virtual or real): business time, not the time signatures carry. */
  now: () => number
  client: (extra?: Partial<PaylabClientOptions>) => PaylabClient
  /** POST /admin/rules for this bench's merchant. */
  rule: (body: Record<string, unknown>) => Promise<any>
  /** The gateway's payments for an order id of this merchant. */
  payments: (orderId: string) => Payment[]
  /** How many creates (POST /v1/payments) of this merchant the journal saw. */
  creates: () => Promise<number>
  admin: (method: string, url: string, payload?: unknown) => Promise<any>
}

export interface BenchOptions {
  virtual?: boolean
  merchant?: Record<string, unknown>
  gateway?: GatewayOptions
}

export async function gatewayBench (t: Test, options: BenchOptions = {}): Promise<GatewayBench> {
  return await benchOn(await live(t, { ...(options.virtual === true ? { clock: new VirtualClock() } : {}), ...options.gateway }), options)
}

/**
 * gatewayBench on the file's one gateway (sharedLive in live.ts), on real time with the default
 * options: the bench's merchant, rules and journal are the test's own all the same.
 */
export function sharedGatewayBench (surfaces: Pick<GatewayOptions, 'channels' | 'dashboard'> = {}): (t: Test, options?: Pick<BenchOptions, 'merchant'>) => Promise<GatewayBench> {
  const gateway = sharedLive(surfaces)
  return async (t, options = {}) => await benchOn(await gateway(t), options)
}

async function benchOn (gw: LiveGateway, options: BenchOptions): Promise<GatewayBench> {
  const creds = await addMerchant(gw, options.merchant)
  const merchant = { id: creds.merchant, secret: creds.secret as string }
  const now = (): number => gw.engine.clock.now()
  const admin = async (method: string, url: string, payload?: unknown): Promise<any> => {
    const res = await gw.admin({ method: method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })
    if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }
  return {
    gw,
    merchant,
    now,
    // Signatures are on real time even under a virtual clock (the gateway's rule): no `now` here.
    client: (extra = {}) => new PaylabClient({ baseUrl: gw.base, merchantId: merchant.id, secret: merchant.secret, ...FAST, ...extra }),
    rule: (body) => admin('POST', '/admin/rules', { merchant_id: merchant.id, ...body }),
    payments: (orderId) => gw.engine.merchantPayments(merchant.id).filter((p) => p.merchant_order_id === orderId),
    creates: async () => (await admin('GET', `/admin/journal/count?merchant_id=${merchant.id}&path=/v1/payments&method=POST`)).count,
    admin
  }
}

export interface Pair extends GatewayBench {
  shopApp: FastifyInstance
  shop: Shop
  shopUrl: string
  dataDir: string
  /** A JSON request to the shop; resolves with status and parsed body. */
  call: (method: string, path: string, body?: unknown) => Promise<{ status: number, body: any, headers: Headers }>
  checkout: (input?: Record<string, unknown>) => Promise<Order>
  order: (id: string) => Order
  /** Builds the shop again on the same folder (after closing the running one). */
  restart: () => Promise<void>
  /** Lets due notifications reach the shop (virtual clock: advance by `duration`). */
  advance: (duration?: string) => Promise<void>
}

export async function buildPair (t: Test, options: BenchOptions & { shop?: Partial<ShopOptions['gateway']> } = {}): Promise<Pair> {
  const bench = await gatewayBench(t, { virtual: true, ...options })
  const dataDir = await mkdtemp(join(tmpdir(), 'paylab-shop-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const start = async (port: number): Promise<{ app: FastifyInstance, shop: Shop, url: string }> => {
    const { app, shop } = await buildShop({
      gateway: { baseUrl: bench.gw.base, merchantId: bench.merchant.id, secret: bench.merchant.secret, ...FAST, ...options.shop },
      dataDir,
      now: bench.now
    })
    const url = await listenShop(app, shop, '127.0.0.1', port)
    return { app, shop, url }
  }
  let running = await start(0)
  t.teardown(() => closeNow(running.app))
  const pair: Pair = {
    ...bench,
    shopApp: running.app,
    shop: running.shop,
    shopUrl: running.url,
    dataDir,
    call: async (method, path, body) => {
      const res = await fetch(`${pair.shopUrl}${path}`, {
        method,
        redirect: 'manual',
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
      })
      const text = await res.text()
      let parsed: unknown = text
      try { parsed = JSON.parse(text) } catch {}
      return { status: res.status, body: parsed, headers: res.headers }
    },
    checkout: async (input = {}) => {
      const res = await pair.call('POST', '/api/orders', input)
      if (res.status !== 201) throw new Error(`checkout answered ${res.status}: ${JSON.stringify(res.body)}`)
      return res.body as Order
    },
    order: (id) => pair.shop.order(id),
    restart: async () => {
      await closeNow(running.app)
      // The same port: the gateway already holds notify_url and return_url of its payments.
      running = await start(Number(new URL(pair.shopUrl).port))
      Object.assign(pair, { shopApp: running.app, shop: running.shop, shopUrl: running.url })
    },
    advance: async (duration = '0s') => { await bench.gw.advance(duration) }
  }
  return pair
}
