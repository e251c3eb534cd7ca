// A gateway on port 0 with the Stripe profile, a merchant with Stripe credentials, and stripe-node
// (the devDependency, unchanged) pointed at it with host, port and protocol only.
import type { Test } from 'tap'
import Stripe from 'stripe'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { buildGateway, type GatewayOptions } from '../../gateway/server.js'
import type { FastifyInstance } from 'fastify'
import type { Engine } from '../../gateway/engine/engine.js'
import { matrixStore, testCrypto } from './build.js'

export interface StripeKeys { secret_key: string, publishable_key: string, webhook_secret: string }

export interface StripeGateway {
  app: FastifyInstance
  engine: Engine
  url: string
  port: number
  clock: VirtualClock
  admin: (method: string, url: string, payload?: unknown) => Promise<any>
  /** A merchant of its own with generated Stripe keys, and stripe-node for it. */
  merchant: (id: string, extra?: Record<string, unknown>) => Promise<{ keys: StripeKeys, stripe: Stripe }>
}

export const client = (key: string, port: number): Stripe => new Stripe(key, { host: '127.0.0.1', port, protocol: 'http' })

export async function stripeGateway (t: Test, options: GatewayOptions = {}): Promise<StripeGateway> {
  const clock = new VirtualClock(Date.parse('2026-03-02T10:00:00Z'))
  const { app, engine } = await buildGateway({ memory: true, crypto: testCrypto, clock, ...options , ...matrixStore(options) })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const url = new URL(address).origin
  engine.setPublicUrl(url)
  // stripe-node keeps connections alive; cut them so that close() does not wait for them.
  t.teardown(async () => { app.server.closeAllConnections(); await app.close() })
  const admin = async (method: string, path: string, payload?: unknown) => {
    const res = await app.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${engine.adminToken}` }, ...(payload === undefined ? {} : { payload: payload as object }) })
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`)
    return res.json()
  }
  const port = Number(new URL(address).port)
  return {
    app, engine, url, port, clock, admin,
    merchant: async (id, extra = {}) => {
      const created = await admin('POST', '/admin/merchants', { id, channels: { stripe: {} }, ...extra })
      const keys = created.channels.stripe as StripeKeys
      return { keys, stripe: client(keys.secret_key, port) }
    }
  }
}
