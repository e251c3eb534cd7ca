// Requests signed with RSA before a measurement. An RSA-2048 signature costs the client about as
// much CPU as the gateway's answer signature costs the server; signed on the spot, the load
// generator would share the server's two cores with signing. So each workload's requests are
// signed ahead, on libuv's thread pool (both cores, a few seconds), and sent once each from a
// pool: every one carries its own nonce, which the gateway accepts once, and a timestamp that
// stays inside its window (300 s) for the measurement.
import { constants, createHmac, createPrivateKey, sign, type KeyObject } from 'node:crypto'
import type { Request } from 'autocannon'
import { next, pick, type Merchant } from './load.js'
import type { WechatpayCaller } from './protocol.js'

const rsaSign = (key: KeyObject, message: string): Promise<string> => new Promise((resolve, reject) => {
  sign('sha256', Buffer.from(message), { key, padding: constants.RSA_PKCS1_PADDING }, (err, signature) => { if (err !== null) reject(err); else resolve(signature.toString('base64')) })
})

const message = (method: string, path: string, timestamp: string, nonce: string, body: string): string => `${method}\n${path}\n${timestamp}\n${nonce}\n${body}\n`
const now = (): string => String(Math.floor(Date.now() / 1000))

/** `count` GET /v1/payments/{id} of `ids`, RSA-SHA256-signed as `merchant`: their answers are RSA-signed too. */
export async function rsaQueries (merchant: string, privateKeyPem: string, ids: readonly string[], count: number): Promise<Request[]> {
  const key = createPrivateKey(privateKeyPem)
  const timestamp = now()
  return await Promise.all(Array.from({ length: count }, async () => {
    const path = `/v1/payments/${pick(ids)}`
    const nonce = next()
    const signature = await rsaSign(key, message('GET', path, timestamp, nonce, ''))
    return {
      method: 'GET',
      path,
      headers: { 'paylab-merchant': merchant, 'paylab-timestamp': timestamp, 'paylab-nonce': nonce, 'paylab-signature-type': 'RSA-SHA256', 'paylab-signature': signature }
    }
  }))
}

const wechatAuthorization = async (caller: WechatpayCaller, key: KeyObject, method: string, path: string, body: string): Promise<string> => {
  const timestamp = now()
  const nonce = next()
  const signature = await rsaSign(key, message(method, path, timestamp, nonce, body))
  return `WECHATPAY2-SHA256-RSA2048 mchid="${caller.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${caller.serial}"`
}

/** `count` WeChat Pay v3 order queries by out_trade_no, signed as the merchant's SDK signs them. */
export async function wechatpayQueries (caller: WechatpayCaller, outTradeNos: readonly string[], count: number): Promise<Request[]> {
  const key = createPrivateKey(caller.privateKey)
  return await Promise.all(Array.from({ length: count }, async () => {
    const path = `/v3/pay/transactions/out-trade-no/${pick(outTradeNos)}?mchid=${caller.mchid}`
    return { method: 'GET', path, headers: { authorization: await wechatAuthorization(caller, key, 'GET', path, ''), accept: 'application/json' } }
  }))
}

async function expect (res: Response, status: number, what: string): Promise<string> {
  const text = await res.text()
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${text.slice(0, 300)}`)
  return text
}

/** Opens `count` WeChat Pay native orders (the payments the WeChat Pay queries look up); their out_trade_nos. */
export async function wechatpayOrders (url: string, caller: WechatpayCaller, count: number): Promise<string[]> {
  const key = createPrivateKey(caller.privateKey)
  return await Promise.all(Array.from({ length: count }, async () => {
    const no = `BENCH${next()}`
    const body = JSON.stringify({ appid: caller.appid, mchid: caller.mchid, description: 'paylab bench', out_trade_no: no, notify_url: 'http://127.0.0.1:9/paylab-bench', amount: { total: 1999, currency: 'CNY' } })
    const path = '/v3/pay/transactions/native'
    const authorization = await wechatAuthorization(caller, key, 'POST', path, body)
    await expect(await fetch(url + path, { method: 'POST', body, headers: { authorization, 'content-type': 'application/json', accept: 'application/json' } }), 200, 'a WeChat Pay native order')
    return no
  }))
}

/** A request HMAC-signed as `merchant`, sent with fetch: the answer's body. */
export async function hmacFetch (url: string, merchant: Merchant, method: 'GET' | 'POST', path: string, body = '', status = 200): Promise<string> {
  const timestamp = now()
  const nonce = next()
  const signature = createHmac('sha256', merchant.secret).update(message(method, path, timestamp, nonce, body)).digest('base64')
  const headers: Record<string, string> = { 'paylab-merchant': merchant.merchant, 'paylab-timestamp': timestamp, 'paylab-nonce': nonce, 'paylab-signature-type': 'HMAC-SHA256', 'paylab-signature': signature }
  if (body !== '') Object.assign(headers, { 'content-type': 'application/json', 'idempotency-key': `bench-${nonce}` })
  return await expect(await fetch(url + path, { method, headers, ...(body === '' ? {} : { body }) }), status, `${method} ${path}`)
}

/** Creates `count` wallet payments for `merchant` (HMAC-signed); their ids. */
export async function walletPayments (url: string, merchant: Merchant, count: number): Promise<Array<{ id: string, answer: string }>> {
  return await Promise.all(Array.from({ length: count }, async () => {
    const body = JSON.stringify({ merchant_order_id: `bench-${next()}`, amount: 1999, currency: 'USD', method: { type: 'wallet', wallet: { provider: 'alipay' } } })
    const answer = await hmacFetch(url, merchant, 'POST', '/v1/payments', body, 201)
    return { id: (JSON.parse(answer) as { id: string }).id, answer }
  }))
}
