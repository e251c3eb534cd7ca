// The WeChat Pay v3 wire as paylab serves it, with a hand-written signer: request auth (any field
// order, the merchant's serial, the timestamp window, a nonce accepted once) and its journal
// trace, answer signatures over the exact bytes, the four order types, the buyer's way from a
// prepay_id, credentials on the admin API, and notifications on WeChat's schedule.
import t from 'tap'
import { createVerify } from 'node:crypto'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { WECHATPAY_RETRY_SCHEDULE } from '../../gateway/channels/wechatpay/codec.js'
import { build } from '../helpers/build.js'
import { wxAuthorization } from '../helpers/wechatpay-signer.js'
import { outTradeNo } from '../helpers/wechatpay.js'
import type { DeliveryRequest, NotificationTransport } from '../../gateway/engine/outbox.js'

const clock = new VirtualClock(Date.parse('2026-05-01T08:00:00Z'))
const sent: Array<DeliveryRequest & { at: number }> = []
let status = 500
const transport: NotificationTransport = { async deliver (r) { sent.push({ ...r, at: clock.now() }); return { status, error: status < 300 ? null : `HTTP ${status}`, body: '' } } }

t.test('WeChat Pay v3 protocol', async (t) => {
  const gw = await build(t, { clock, transport })
  const made = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'wxp', notify_url: 'http://127.0.0.1:9/n', channels: { wechatpay: { appid: 'wx0123456789abcdef' } } } })
  t.equal(made.statusCode, 201, made.body)
  const m = made.json().channels.wechatpay
  t.match(m, { mode: 'public_key', mchid: /^\d{10}$/, appid: 'wx0123456789abcdef', merchant_serial_no: /^[0-9A-F]{40}$/, apiv3_key: /^.{32}$/, merchant_private_key: /BEGIN PRIVATE KEY/, platform_public_key_id: /^PUB_KEY_ID_\d+$/, platform_certificate: /BEGIN CERTIFICATE/ })
  const creds = { mchid: m.mchid, serial: m.merchant_serial_no, privateKey: m.merchant_private_key }
  const call = (method: string, path: string, body?: unknown, extra: Partial<Parameters<typeof wxAuthorization>[0]> = {}, headers: Record<string, string> = {}) => {
    const a = wxAuthorization({ method, path, body, ...creds, ...extra })
    return gw.app.inject({ method: method as 'GET', url: path, payload: a.payload === '' ? undefined : a.payload, headers: { authorization: a.authorization, 'content-type': 'application/json', ...headers } })
  }
  const order = (no: string, total = 100, extra: Record<string, unknown> = {}) => ({ appid: m.appid, mchid: m.mchid, description: 'd', out_trade_no: no, notify_url: 'http://127.0.0.1:9/wx', amount: { total }, ...extra })
  const verifies = (res: { headers: Record<string, unknown>, body: string }): boolean =>
    createVerify('RSA-SHA256').update(`${String(res.headers['wechatpay-timestamp'])}\n${String(res.headers['wechatpay-nonce'])}\n${res.body}\n`).verify(m.platform_public_key, String(res.headers['wechatpay-signature']), 'base64')

  t.test('credentials: GET hides the secrets; bad input names its field; mchid is one merchant\'s', async (t) => {
    const got = (await gw.admin({ method: 'GET', url: '/admin/merchants/wxp' })).json().channels.wechatpay
    t.notOk('merchant_private_key' in got || 'apiv3_key' in got || 'platform_private_key' in got, 'no secret on GET')
    t.equal(got.mchid, m.mchid)
    const bad = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { channels: { wechatpay: { apiv3_key: 'short' } } } })
    t.match(bad.json().error, { code: 'PAYLAB_VALIDATION_FAILED', field: 'channels.wechatpay.apiv3_key' })
    const dup = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { channels: { wechatpay: { mchid: m.mchid } } } })
    t.match(dup.json().error, { field: 'channels.wechatpay.mchid' })
    const patched = await gw.admin({ method: 'PATCH', url: '/admin/merchants/wxp', payload: { channels: { wechatpay: { mode: 'certificate' } } } })
    t.match(patched.json().channels.wechatpay, { mode: 'certificate', mchid: m.mchid, platform_public_key_id: m.platform_public_key_id }, 'PATCH keeps the keys')
    await gw.admin({ method: 'PATCH', url: '/admin/merchants/wxp', payload: { channels: { wechatpay: { mode: 'public_key' } } } })
  })

  t.test('request auth: fields in any order; every failure is SIGN_ERROR with the string to sign in the journal', async (t) => {
    const no = outTradeNo()
    const reordered = await call('POST', '/v3/pay/transactions/native', order(no), { order: ['serial_no', 'timestamp', 'signature', 'nonce_str', 'mchid'] })
    t.equal(reordered.statusCode, 200, reordered.body)
    t.ok(verifies(reordered), 'the answer is signed over its exact bytes')
    t.match(reordered.headers, { 'wechatpay-serial': m.platform_public_key_id, 'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048', 'request-id': /\S/ })

    const nonce = 'a'.repeat(32)
    t.equal((await call('GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${m.mchid}`, undefined, { nonce })).statusCode, 200)
    const replay = await call('GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${m.mchid}`, undefined, { nonce })
    t.match({ status: replay.statusCode, body: replay.json() }, { status: 401, body: { code: 'SIGN_ERROR', detail: { field: 'nonce_str' } } }, 'a nonce is accepted once')
    const stale = await call('GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${m.mchid}`, undefined, { timestamp: Math.floor(Date.now() / 1000) - 3600 })
    t.match(stale.json(), { code: 'SIGN_ERROR', detail: { field: 'timestamp' } })
    const serial = await call('GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${m.mchid}`, undefined, { serial: 'ABCDEF' })
    t.match(serial.json(), { code: 'SIGN_ERROR', detail: { field: 'serial_no' } })
    const a = wxAuthorization({ method: 'GET', path: `/v3/pay/transactions/out-trade-no/${no}?mchid=${m.mchid}`, ...creds })
    const forged = await gw.app.inject({ method: 'GET', url: `/v3/pay/transactions/out-trade-no/${no}?mchid=${m.mchid}&x=1`, headers: { authorization: a.authorization } })
    t.match({ status: forged.statusCode, body: forged.json() }, { status: 401, body: { code: 'SIGN_ERROR', detail: { field: 'signature' } } })
    t.ok(verifies(forged), 'a rejection of a known merchant is signed too')
    const entry = gw.engine.localJournal({ channel: 'wechatpay', status: 401 }).at(-1)
    t.match(entry, { channel: 'wechatpay', merchant_id: 'wxp', error_code: 'SIGN_ERROR', signature: { verdict: 'SIGN_ERROR', string_to_sign: `GET\n/v3/pay/transactions/out-trade-no/${no}?mchid=${m.mchid}&x=1\n${a.message.split('\n')[2] as string}\n${a.message.split('\n')[3] as string}\n\n` } })
    const none = await gw.app.inject({ method: 'GET', url: `/v3/pay/transactions/out-trade-no/${no}?mchid=${m.mchid}` })
    t.match({ status: none.statusCode, body: none.json() }, { status: 401, body: { code: 'SIGN_ERROR' } })
  })

  t.test('jsapi, app and h5 orders; the prepay_id leads to the cashier', async (t) => {
    const jsapi = await call('POST', '/v3/pay/transactions/jsapi', order(outTradeNo(), 100, { payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } }))
    t.match(jsapi.json(), { prepay_id: /^wx\w+/ })
    const noPayer = await call('POST', '/v3/pay/transactions/jsapi', order(outTradeNo()))
    t.match(noPayer.json(), { code: 'PARAM_ERROR', detail: { field: '/payer' } })
    const app = await call('POST', '/v3/pay/transactions/app', order(outTradeNo()))
    const cashier = await gw.app.inject({ method: 'GET', url: `/wechatpay/prepay/${app.json().prepay_id as string}` })
    t.equal(cashier.statusCode, 303)
    t.match(cashier.headers.location, /^\/cashier\/pay_/)
    const h5 = await call('POST', '/v3/pay/transactions/h5', order(outTradeNo(), 100, { scene_info: { payer_client_ip: '127.0.0.1', h5_info: { type: 'Wap' } } }))
    t.match(h5.json(), { h5_url: /\/cashier\/pay_/ })
    const other = await call('POST', '/v3/pay/transactions/native', { ...order(outTradeNo()), appid: 'wxffffffffffffffff' })
    t.match(other.json(), { code: 'APPID_MCHID_NOT_MATCH' })
  })

  t.test('notifications: only what WeChat sends, on WeChat\'s schedule, acknowledged by 200/204', async (t) => {
    const no = outTradeNo()
    const created = (await call('POST', '/v3/pay/transactions/native', order(no, 100))).json()
    const id = created.code_url.split('/').at(-1)
    sent.length = 0
    status = 500
    await gw.engine.completeAction(id, 'pass')
    await gw.engine.advanceClock(3 * 3600_000)
    const offsets = sent.map((s) => (s.at - (sent[0]?.at ?? 0)) / 1000)
    let sum = 0
    t.same(offsets, [0, ...WECHATPAY_RETRY_SCHEDULE.map((s) => (sum += s))].filter((s) => s <= 3 * 3600), 'retries on WeChat\'s schedule, on the engine clock')
    t.match(sent[0]?.headers, { 'Wechatpay-Serial': m.platform_public_key_id, 'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048' })
    t.equal(new Set(sent.map((s) => s.body)).size, 1, 'the same body every attempt')
    status = 204
    await gw.engine.advanceClock(6 * 3600_000)
    const [event] = gw.engine.findEvents({ payment_id: id, limit: Infinity }).reverse()
    t.match(event, { status: 'delivered', channel: 'wechatpay' })
    // Notification faults act on WeChat's message: a wrong signature, a body other than the one signed.
    for (const fault of ['bad_signature', 'tampered_body']) {
      await gw.engine.addRule({ merchant_id: 'wxp', notification: fault, times: 1 })
      const payId = (await call('POST', '/v3/pay/transactions/native', order(outTradeNo(), 100))).json().code_url.split('/').at(-1)
      sent.length = 0
      await gw.engine.completeAction(payId, 'pass')
      await gw.engine.advanceClock(1000)
      const note = sent[0] as DeliveryRequest
      const signed = createVerify('RSA-SHA256').update(`${note.headers['Wechatpay-Timestamp'] as string}\n${note.headers['Wechatpay-Nonce'] as string}\n${note.body}\n`).verify(m.platform_public_key, note.headers['Wechatpay-Signature'] as string, 'base64')
      t.notOk(signed, `${fault}: the notification does not verify`)
      t.equal(JSON.parse(note.body).event_type, 'TRANSACTION.SUCCESS')
    }
    const failed = (await call('POST', '/v3/pay/transactions/native', order(outTradeNo(), 100))).json().code_url.split('/').at(-1)
    await gw.engine.completeAction(failed, 'fail')
    t.equal(gw.engine.findEvents({ payment_id: failed, limit: Infinity }).length, 0, 'a failed payment is not notified (WeChat does not)')
  })
})
