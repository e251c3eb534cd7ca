// A reference shop per scenario, wired to the scenario's merchant, on the gateway's clock. Its
// public URL is a small gate in front of it, so that a scenario can take the shop's notification
// endpoint down (connections cut) or make it fail (500) while the rest of the shop keeps working.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildShop } from '../../merchant/shop/server.js'

export type ReceiverState = 'up' | 'down' | 'failing'

export interface ShopHandle {
  url: string
  setReceiver: (state: ReceiverState) => void
  close: () => Promise<void>
}

export interface ShopSetup {
  gatewayUrl: string
  merchantId: string
  secret: string
  privateKey?: string | undefined
  now: () => number
  timeoutMs: number
  maxAttempts: number
  /** Seeded: the SDK's retry jitter, so a scenario's timing repeats. */
  random: () => number
}

export async function startShop (setup: ShopSetup): Promise<ShopHandle> {
  const { app, shop } = await buildShop({
    gateway: {
      baseUrl: setup.gatewayUrl,
      merchantId: setup.merchantId,
      secret: setup.secret,
      ...(setup.privateKey === undefined ? {} : { signatureType: 'RSA-SHA256' as const, privateKey: setup.privateKey }),
      timeoutMs: setup.timeoutMs,
      retry: { maxAttempts: setup.maxAttempts },
      random: setup.random
    },
    memory: true,
    now: setup.now,
    logger: false
  })
  let receiver: ReceiverState = 'up'
  const gate = createServer((req, res) => {
    if (req.url?.startsWith('/notifications') === true && receiver !== 'up') {
      if (receiver === 'down') { req.socket.destroy(); return }
      res.writeHead(500, { 'content-type': 'application/json', connection: 'close' }).end('{"result":"the receiver is failing (scenario)"}')
      return
    }
    app.routing(req, res)
  })
  const url = await listen(gate)
  shop.deps.publicUrl = url
  return {
    url,
    setReceiver: (state) => { receiver = state },
    close: async () => {
      gate.closeAllConnections()
      await new Promise<void>((resolve) => gate.close(() => resolve()))
      await app.close()
    }
  }
}

function listen (server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
  })
}
