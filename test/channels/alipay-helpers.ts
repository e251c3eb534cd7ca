// A gateway on a real port with an Alipay app, and the official alipay-sdk pointed at it.
import { createServer, type IncomingMessage } from 'node:http'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { AlipaySdk } from 'alipay-sdk'
import { buildGateway, type GatewayOptions } from '../../gateway/server.js'
import { matrixStore, testCrypto } from '../helpers/build.js'

/**
 * An app key pair as a merchant makes one (PKCS#1 private key: alipay-sdk's default keyType).
 * Generating an RSA key costs a few hundred ms of CPU in each test process that asks: a TEST ONLY
 * pair from test/fixtures, of its own (not the gateway's test key).
 */
let appKeys: { publicKey: string, privateKey: string } | undefined
export function appKeyPair (): { publicKey: string, privateKey: string } {
  if (appKeys === undefined) {
    const key = createPrivateKey(readFileSync(new URL('../fixtures/test-only-alipay-app-key.pem', import.meta.url), 'utf8'))
    appKeys = {
      publicKey: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
      privateKey: key.export({ type: 'pkcs1', format: 'pem' }).toString()
    }
  }
  return appKeys
}

export interface Received { body: string, form: Record<string, string>, headers: IncomingMessage['headers'] }

/** A merchant's notify receiver: answers a trade's planned answers in turn (then `success`), keeps what it got. */
export async function receiver (t: Test): Promise<{ url: string, got: Received[], answers: Map<string, string[]>, next: () => Promise<Received> }> {
  const got: Received[] = []
  const answers = new Map<string, string[]>()
  const waiting: Array<(r: Received) => void> = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => { body += String(c) })
    req.on('end', () => {
      const r = { body, form: Object.fromEntries(new URLSearchParams(body)), headers: req.headers }
      got.push(r)
      res.end(answers.get(r.form.out_trade_no ?? '')?.shift() ?? 'success')
      waiting.shift()?.(r)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const next = () => new Promise<Received>((resolve) => waiting.push(resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alipay/notify`, got, answers, next }
}

export async function alipayGateway (t: Test, options: GatewayOptions = {}) {
  const { app, engine } = await buildGateway({ memory: true, crypto: testCrypto, ...options , ...matrixStore(options) })
  const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1')
  engine.setPublicUrl(base)
  t.teardown(async () => { app.server.closeAllConnections(); await app.close() })
  const admin = (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${engine.adminToken}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })
  /** Registers a merchant with the app key pair; returns the SDK pointed at the gateway. */
  const merchant = async (id: string, extra: Record<string, unknown> = {}, keys = appKeyPair()) => {
    const res = await admin('POST', '/admin/merchants', { id, channels: { alipay: { app_public_key: keys.publicKey } }, ...extra })
    t.equal(res.statusCode, 201, res.body)
    const shown = res.json().channels.alipay as { app_id: string, alipay_public_key: string, seller_id: string }
    const sdk = new AlipaySdk({ appId: shown.app_id, privateKey: keys.privateKey, alipayPublicKey: shown.alipay_public_key, gateway: `${base}/gateway.do`, endpoint: base })
    return { sdk, shown }
  }
  return { app, engine, base, admin, merchant }
}

let n = 0
export const tradeNo = (): string => `T${process.pid}x${Date.now()}x${++n}`
