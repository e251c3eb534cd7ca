// The gateway and the shops the scenarios drive: started in-process (virtual clock, memory store,
// free ports) or reached at the URLs given.
import { VirtualClock } from '../../gateway/engine/clock.js'
import type { CryptoProvider } from '../../gateway/engine/crypto.js'
import { buildGateway } from '../../gateway/server.js'
import { AdminClient } from './admin.js'
import { RuntimeProblem } from './types.js'

export interface ServiceOptions {
  gatewayUrl?: string | undefined
  adminToken?: string | undefined
  shopUrl?: string | undefined
  /** The merchant an external shop signs as, and its HMAC secret (for the runner's reads). */
  shopMerchant?: string | undefined
  shopSecret?: string | undefined
  seedSecret?: string | undefined
  /**
   * The in-process gateway's crypto provider, and the maker of RSA merchants' key pairs: a test
   * injects one with fixture keys (an RSA-2048 generation costs ~100-300 ms of CPU).
   */
  crypto?: CryptoProvider | undefined
}

export interface Services {
  gatewayUrl: string
  admin: AdminClient
  /** The gateway's clock (ms): scenarios sign with it, and the shops run on it. */
  now: () => number
  /** Re-reads the clock of a gateway the runner does not own (after moving it). */
  syncClock: () => Promise<void>
  ownsGateway: boolean
  /** An external shop: its URL and the merchant it is wired to. */
  externalShop?: { url: string, merchantId: string, secret: string }
  seedSecret: string
  crypto?: CryptoProvider | undefined
  close: () => Promise<void>
}

export async function startServices (options: ServiceOptions): Promise<Services> {
  const seedSecret = options.seedSecret ?? 'your-api-key'
  let externalShop: Services['externalShop']
  if (options.shopUrl !== undefined) {
    if (options.shopMerchant === undefined || options.shopSecret === undefined) {
      throw new RuntimeProblem('--shop needs --shop-merchant and --shop-secret: the merchant that shop signs as, so that scenarios can set rules for it and read its payments')
    }
    externalShop = { url: new URL(options.shopUrl).origin, merchantId: options.shopMerchant, secret: options.shopSecret }
  }
  if (options.gatewayUrl !== undefined) {
    if (options.adminToken === undefined) throw new RuntimeProblem('--gateway needs --admin-token (paylab gateway prints it at start)')
    const admin = new AdminClient(new URL(options.gatewayUrl).origin, options.adminToken)
    let offset = (await admin.clockMs()) - Date.now()
    return {
      gatewayUrl: admin.baseUrl,
      admin,
      now: () => Date.now() + offset,
      syncClock: async () => { offset = (await admin.clockMs()) - Date.now() },
      ownsGateway: false,
      ...(externalShop === undefined ? {} : { externalShop }),
      seedSecret,
      crypto: options.crypto,
      close: async () => {}
    }
  }
  const clock = new VirtualClock()
  const { app, engine } = await buildGateway({ memory: true, clock, logger: false, ...(options.crypto === undefined ? {} : { crypto: options.crypto }), config: { seedSecret, notifyTimeoutMs: 5000 } })
  const gatewayUrl = new URL(await app.listen({ host: '127.0.0.1', port: 0 })).origin
  engine.setPublicUrl(gatewayUrl)
  return {
    gatewayUrl,
    admin: new AdminClient(gatewayUrl, engine.adminToken),
    now: () => clock.now(),
    syncClock: async () => {},
    ownsGateway: true,
    ...(externalShop === undefined ? {} : { externalShop }),
    seedSecret,
    crypto: options.crypto,
    // A connection the gateway still holds for a fault (timeout_not_processed) whose client gave
    // up would keep close() waiting for the whole hold: the run is over, so cut them all.
    close: async () => { app.server.closeAllConnections(); await app.close() }
  }
}
