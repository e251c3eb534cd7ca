// Builds a gateway for a test and closes it when the test ends (fastify/demo's build(t)).
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import root, { type Test } from 'tap'
import { closeNow } from './close.js'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildGateway, type GatewayOptions } from '../../gateway/server.js'
import type { Engine } from '../../gateway/engine/engine.js'
import { signRequest, type Credentials, type SignOptions } from './signer.js'
import { card, encryptCard, type TestCard } from './envelope.js'
import { nodeCrypto, type CryptoProvider } from '../../gateway/engine/crypto.js'
import { freshSchemaUrl } from './postgres.js'
import { paylabProfile } from '../../gateway/channels/paylab/index.js'

/**
 * A gateway of paylab's own protocol and API only: no other channel profile, no dashboard. Each
 * profile and the dashboard are ~5-12 ms of a build's CPU (most of a build is registering their
 * routes), and a file about /v1, /pay, the admin API or the cashier uses none of them; such a file
 * passes this to build()/sharedGateway(). The gateway as shipped, every profile on one port, is
 * what the channel, contract, docs and dashboard tests build.
 */
export const PAYLAB_ONLY: GatewayOptions = { channels: [paylabProfile], dashboard: false }

// RSA key generation costs a few hundred ms of CPU in every test process: the gateways of the
// suite all use one TEST ONLY key pair, read from test/fixtures.
let keyPair: { publicKeyPem: string, privateKeyPem: string } | undefined
function fixtureKeyPair (): { publicKeyPem: string, privateKeyPem: string } {
  const key = createPrivateKey(readFileSync(new URL('../fixtures/test-only-gateway-key.pem', import.meta.url), 'utf8'))
  return {
    publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString()
  }
}
export const testCrypto: CryptoProvider = {
  ...nodeCrypto,
  generateRsaKeyPair: () => (keyPair ??= fixtureKeyPair())
}

export interface TestGateway {
  app: FastifyInstance
  engine: Engine
  demo: Credentials
  /** Signs and injects a /v1 request as `creds` (the demo merchant by default). */
  signed: (opts: SignOptions, creds?: Credentials) => Promise<LightMyRequestResponse>
  admin: (opts: InjectOptions) => Promise<LightMyRequestResponse>
  /** A create-payment body paying with a card encrypted for the gateway's active key. */
  cardPayment: (number: string, extra?: Record<string, unknown>, cardExtra?: Partial<TestCard>) => Record<string, unknown>
}

let orderNo = 0
export const orderId = (): string => `order-${process.pid}-${++orderNo}`

/**
 * The store matrix (`npm run test:postgres`): with PAYLAB_TEST_DATABASE_URL set, a gateway that
 * would keep its state in memory gets a fresh schema of that PostgreSQL database instead.
 */
export function matrixStore (options: GatewayOptions): GatewayOptions {
  const url = process.env.PAYLAB_TEST_DATABASE_URL
  if (url === undefined || url === '' || options.store !== undefined || options.dataDir !== undefined || options.databaseUrl !== undefined || options.memory === false) return {}
  return { databaseUrl: freshSchemaUrl(url) }
}

export async function build (t: Test, options: GatewayOptions = {}): Promise<TestGateway> {
  const { app, engine } = await buildGateway({ memory: true, crypto: testCrypto, ...options, ...matrixStore(options) })
  t.teardown(() => closeNow(app))
  const demoMerchant = engine.merchant('demo')
  return testGateway(app, engine, { merchant: demoMerchant.id, secret: demoMerchant.hmac_secret })
}

// The file gateway in use, closed when the next file's is built (a suite runs its files one
// after the other) or at the end of the process.
let fileGateway: Promise<{ app: FastifyInstance, engine: Engine }> | undefined
let closesAtEnd = false

/**
 * One gateway for a test file, built at its first test, with a merchant of its own for each
 * test (`demo` is that merchant): a gateway build costs ~75 ms of CPU, and most tests are about
 * what one merchant sends and is answered, not about a fresh gateway. A test about the gateway's
 * own state (its clock, config, store, keys, other merchants' absence) builds its own.
 * Call it once per file, at its top: a file's gateway is closed when another is built.
 * `options` say which surfaces it serves (PAYLAB_ONLY; everything by default) and on which clock
 * (a virtual clock is the file's: one test's advance moves every later test's time).
 */
export function sharedGateway (options: Pick<GatewayOptions, 'channels' | 'dashboard' | 'clock'> = {}): (t: Test) => Promise<TestGateway> {
  let mine: Promise<{ app: FastifyInstance, engine: Engine }> | undefined
  return async () => {
    if (mine === undefined) {
      const previous = fileGateway
      mine = fileGateway = (async () => {
        if (previous !== undefined) await closeNow((await previous).app)
        return await buildGateway({ memory: true, crypto: testCrypto, ...options, ...matrixStore({}) })
      })()
      if (!closesAtEnd) {
        closesAtEnd = true
        root.teardown(async () => { if (fileGateway !== undefined) await closeNow((await fileGateway).app) })
      }
    }
    const { app, engine } = await mine
    const created = await app.inject({ method: 'POST', url: '/admin/merchants', headers: { authorization: `Bearer ${engine.adminToken}` }, payload: {} })
    if (created.statusCode !== 201) throw new Error(`creating a merchant answered ${created.statusCode}: ${created.body}`)
    const merchant = created.json<{ id: string, hmac_secret: string }>()
    return testGateway(app, engine, { merchant: merchant.id, secret: merchant.hmac_secret })
  }
}

function testGateway (app: FastifyInstance, engine: Engine, demo: Credentials): TestGateway {
  const signed = (opts: SignOptions, creds: Credentials = demo) => {
    const { headers, payload } = signRequest(creds, opts)
    return app.inject({ method: opts.method as 'GET', url: opts.path, headers, payload: payload === '' ? undefined : payload })
  }
  const admin = (opts: InjectOptions) => app.inject({ ...opts, headers: { authorization: `Bearer ${engine.adminToken}`, ...opts.headers } })
  const cardPayment = (number: string, extra: Record<string, unknown> = {}, cardExtra: Partial<TestCard> = {}) => {
    const key = engine.keys().data[0] as { id: string, public_key: string }
    return {
      merchant_order_id: orderId(),
      amount: 1999,
      currency: 'USD',
      method: { type: 'card', card: { encrypted: encryptCard(key, card(number, cardExtra)) } },
      ...extra
    }
  }
  return { app, engine, demo, signed, admin, cardPayment }
}
