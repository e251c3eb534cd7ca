// Builds the reference shop: its store, its SDK client and its Fastify app.
import Fastify, { type FastifyInstance } from 'fastify'
import { PaylabClient, type PaylabClientOptions } from '../sdk/index.js'
import { makeCatalogue } from './catalogue.js'
import { OrderStore } from './store.js'
import { Shop } from './shop.js'
import shopApp from './app.js'

export interface ShopOptions {
  gateway: Omit<PaylabClientOptions, 'now'>
  /** Folder of the shop's own store; ignored with `memory`. */
  dataDir?: string
  memory?: boolean
  /** Where the gateway and buyers reach the shop; set after listen when not known before. */
  publicUrl?: string
  now?: () => number
  logger?: boolean | Record<string, unknown>
}

export async function buildShop (options: ShopOptions): Promise<{ app: FastifyInstance, shop: Shop }> {
  const now = options.now ?? Date.now
  // Signatures are checked on real time; `now` is the shop's business clock (order times).
  const client = new PaylabClient({ ...options.gateway })
  const store = options.memory === true ? OrderStore.memory() : await OrderStore.open(options.dataDir ?? '.paylab-shop')
  const shop = new Shop({ client, store, catalogue: makeCatalogue(), publicUrl: options.publicUrl ?? 'http://127.0.0.1:7500', now })
  const app = Fastify({ logger: options.logger ?? false })
  await app.register(shopApp, { shop })
  await app.ready()
  return { app, shop }
}

/** Listens and makes the shop's own URLs (notify, return) point at where it listens. */
export async function listenShop (app: FastifyInstance, shop: Shop, host = '127.0.0.1', port = 7500, publicUrl?: string): Promise<string> {
  const address = await app.listen({ host, port })
  shop.deps.publicUrl = publicUrl ?? new URL(address).origin
  return shop.deps.publicUrl
}
