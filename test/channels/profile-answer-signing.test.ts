// The channel profiles' RSA answer signatures go through the gateway's crypto provider, by its
// async form when it has one (the gateway's worker pool: off the event loop), as paylab's own
// /v1 answers do: the same signature bytes either way (PKCS#1 v1.5 is deterministic), the
// signing faults still act, and a provider without the async form still signs, at once. WeChat
// Pay's notifications, signed with the same platform key, go the same way.
import t from 'tap'
import { constants, createPrivateKey, createVerify, sign } from 'node:crypto'
import { RsaWorkerPool } from '../../gateway/crypto/worker-pool.js'
import { VirtualClock } from '../../gateway/engine/clock.js'
import type { DeliveryRequest, NotificationTransport } from '../../gateway/engine/outbox.js'
import type { WechatpayCredentials } from '../../gateway/channels/wechatpay/credentials.js'
import { build } from '../helpers/build.js'
import { counted, countingCrypto } from '../helpers/signing-forms.js'
import { wxAuthorization } from '../helpers/wechatpay-signer.js'
import { outTradeNo } from '../helpers/wechatpay.js'
import { alipayGateway, tradeNo } from './alipay-helpers.js'

const pool = new RsaWorkerPool(1)
t.teardown(() => pool.close())

const counting = (withAsync: boolean): ReturnType<typeof countingCrypto> => countingCrypto(pool, withAsync)

for (const withAsync of [true, false]) {
  const form = withAsync ? 'async' : 'sync'

  t.test(`WeChat Pay v3 answers, a provider ${withAsync ? 'with' : 'without'} the async form: signed by the ${form} form`, async (t) => {
    const { crypto, calls } = counting(withAsync)
    const sent: DeliveryRequest[] = []
    const transport: NotificationTransport = { async deliver (r) { sent.push(r); return { status: 204, error: null, body: '' } } }
    const gw = await build(t, { crypto, transport, clock: new VirtualClock(Date.parse('2026-05-01T08:00:00Z')) })
    const made = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'wx-sign', channels: { wechatpay: { appid: 'wx0123456789abcdef' } } } })
    t.equal(made.statusCode, 201, made.body)
    const m = made.json().channels.wechatpay
    const platformKey = (gw.engine.merchant('wx-sign').channels?.wechatpay as WechatpayCredentials).platform_private_key
    const call = (method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const a = wxAuthorization({ method, path, body, mchid: m.mchid, serial: m.merchant_serial_no, privateKey: m.merchant_private_key })
      return gw.app.inject({ method, url: path, payload: a.payload === '' ? undefined : a.payload, headers: { authorization: a.authorization, 'content-type': 'application/json', ...headers } })
    }
    const message = (res: { headers: Record<string, unknown>, body: string }): string => `${String(res.headers['wechatpay-timestamp'])}\n${String(res.headers['wechatpay-nonce'])}\n${res.body}\n`
    const verifies = (res: { headers: Record<string, unknown>, body: string }): boolean =>
      createVerify('RSA-SHA256').update(message(res)).verify(m.platform_public_key, String(res.headers['wechatpay-signature']), 'base64')

    const no = outTradeNo()
    const created = await call('POST', '/v3/pay/transactions/native', { appid: m.appid, mchid: m.mchid, description: 'd', out_trade_no: no, notify_url: 'http://127.0.0.1:9/wx', amount: { total: 100 } })
    t.equal(created.statusCode, 200, created.body)
    const query = await counted(calls, () => call('GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${m.mchid}`))
    const res = query.result
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json(), { out_trade_no: no, trade_state: 'NOTPAY' })
    t.same({ sync: query.sync, async: query.async }, withAsync ? { sync: 0, async: 1 } : { sync: 1, async: 0 }, `the answer is signed once, by the ${form} form`)
    t.ok(verifies(res), 'the answer verifies with the platform public key')
    const expected = sign('sha256', Buffer.from(message(res)), { key: createPrivateKey(platformKey), padding: constants.RSA_PKCS1_PADDING }).toString('base64')
    t.equal(res.headers['wechatpay-signature'], expected, 'the very bytes node:crypto makes with the platform key')

    const missing = await counted(calls, () => call('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo()}?mchid=${m.mchid}`))
    t.equal(missing.result.statusCode, 404)
    t.equal(missing.async, withAsync ? 1 : 0, 'an error answer is signed the same way')
    t.ok(verifies(missing.result))

    const tampered = await call('GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${m.mchid}`, undefined, { 'paylab-scenario': 'bad_signature' })
    t.equal(tampered.statusCode, 200)
    t.notOk(verifies(tampered), 'bad_signature: signed again, wrong, after the answer was signed')
    t.match(tampered.headers, { 'wechatpay-serial': m.platform_public_key_id })
    const unknown = await call('GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${m.mchid}`, undefined, { 'paylab-scenario': 'unknown_key' })
    t.equal(unknown.headers['wechatpay-serial'], 'PUB_KEY_ID_0000000000000000000000000000', 'unknown_key: a serial the merchant was never given')

    // Notifications: the payment paid, then one whose first attempt carries a wrong signature.
    const noteVerifies = (n: DeliveryRequest): boolean => verifies({ headers: Object.fromEntries(Object.entries(n.headers).map(([k, v]) => [k.toLowerCase(), v])), body: n.body })
    const paid = await counted(calls, async () => {
      await gw.engine.completeAction(created.json().code_url.split('/').at(-1), 'pass')
      await gw.engine.advanceClock(1000)
    })
    t.equal(sent.length, 1)
    t.equal(paid.async, withAsync ? 1 : 0, `the notification is signed by the ${form} form`)
    t.ok(noteVerifies(sent[0] as DeliveryRequest), 'the notification verifies with the platform public key')
    await gw.engine.addRule({ merchant_id: 'wx-sign', notification: 'bad_signature', times: 1 })
    const other = await call('POST', '/v3/pay/transactions/native', { appid: m.appid, mchid: m.mchid, description: 'd', out_trade_no: outTradeNo(), notify_url: 'http://127.0.0.1:9/wx', amount: { total: 100 } })
    await gw.engine.completeAction(other.json().code_url.split('/').at(-1), 'pass')
    await gw.engine.advanceClock(1000)
    t.equal(sent.length, 2)
    t.notOk(noteVerifies(sent[1] as DeliveryRequest), 'bad_signature: the notification does not verify')
  })

  t.test(`Alipay v2 and v3 answers, a provider ${withAsync ? 'with' : 'without'} the async form: signed by the ${form} form`, async (t) => {
    const { crypto, calls } = counting(withAsync)
    const gw = await alipayGateway(t, { crypto })
    const { sdk } = await gw.merchant('ali-sign')
    const order = tradeNo()
    const biz = (outTradeNo: string, totalAmount: string) => ({ bizContent: { outTradeNo, totalAmount, subject: 'Sandbox' } })
    const once = withAsync ? { sync: 0, async: 1 } : { sync: 1, async: 0 }

    const pre = await counted(calls, () => sdk.exec('alipay.trade.precreate', biz(order, '12.34'), { validateSign: true }))
    t.match(pre.result, { code: '10000', outTradeNo: order })
    t.same({ sync: pre.sync, async: pre.async }, once, `v2: the answer is signed once, by the ${form} form, and the SDK verifies it`)
    const query = await counted(calls, () => sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: order } }, { validateSign: true }))
    t.match(query.result, { code: '10000', tradeStatus: 'WAIT_BUYER_PAY' })
    t.same({ sync: query.sync, async: query.async }, once, 'v2 query')
    const missing = await counted(calls, () => sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: tradeNo() } }, { validateSign: true }))
    t.match(missing.result, { code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST' })
    t.same({ sync: missing.sync, async: missing.async }, once, 'v2: a business error is signed the same way')

    const v3 = await counted(calls, () => sdk.curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: order } }))
    t.match(v3.result, { responseHttpStatus: 200, data: { out_trade_no: order, trade_status: 'WAIT_BUYER_PAY' } }, 'v3: the SDK verifies the answer headers')
    t.same({ sync: v3.sync, async: v3.async }, once, `v3: signed once, by the ${form} form`)

    const refused = await sdk.exec('alipay.trade.precreate', biz(tradeNo(), '500.08'), { validateSign: true }).catch((err: unknown) => err)
    t.match(refused, { name: 'AlipayRequestError', message: /验签失败/ }, 'v2 bad_signature still signs wrong')
    const refusedV3 = await sdk.curl('POST', '/v3/alipay/trade/precreate', { body: { out_trade_no: tradeNo(), total_amount: '500.08', subject: 'v3' } }).catch((err: unknown) => err)
    t.match(refusedV3, { code: 'response-signature-verify-error' }, 'v3 bad_signature still signs wrong')
  })
}
