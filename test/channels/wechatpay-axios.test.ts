// WeChat Pay v3 through the official wechatpay-axios-plugin, unchanged, its baseURL set to the
// gateway: it signs every request and verifies every 2xx answer's Wechatpay-* signature itself.
// Public-key mode (certs keyed by PUB_KEY_ID_…) and certificate mode (keyed by the serial of the
// X.509 certificate paylab issued, read back from /v3/certificates with the SDK's own AES-GCM).
import t, { type Test } from 'tap'
import { X509Certificate } from 'node:crypto'
import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin'
import { outTradeNo, wechatpayBench, type WechatpayBench, type WechatpayMerchant } from '../helpers/wechatpay.js'
import type { Received } from '../helpers/receiver.js'

function client (base: string, m: WechatpayMerchant, certs: Record<string, string>): any {
  return new Wechatpay({ mchid: m.mchid, serial: m.merchant_serial_no, privateKey: m.merchant_private_key, certs, baseURL: `${base}/` })
}

/** What a merchant's notify handler does with the SDK's helpers: verify, then decrypt. */
function openNotification (req: Received, m: WechatpayMerchant, platformKey: string): { event: any, resource: any } {
  const h = req.headers
  const ok = Rsa.verify(Formatter.joinedByLineFeed(String(h['wechatpay-timestamp']), String(h['wechatpay-nonce']), req.text), String(h['wechatpay-signature']), platformKey)
  if (!ok) throw new Error('the notification signature does not verify')
  const event = req.json()
  const { ciphertext, nonce, associated_data: aad } = event.resource
  return { event, resource: JSON.parse(Aes.AesGcm.decrypt(ciphertext, m.apiv3_key, nonce, aad)) }
}

async function flows (t: Test, b: WechatpayBench, wx: any, platformKey: string, serialHeader: string): Promise<void> {
  const m = b.merchant
  const order = (no: string, total: number) => ({ appid: m.appid, mchid: m.mchid, description: 'paylab test order', out_trade_no: no, notify_url: b.rx.url, amount: { total, currency: 'CNY' } })
  const query = (no: string) => wx.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ params: { mchid: m.mchid }, out_trade_no: no })

  await t.test('native order, the buyer pays on the cashier, query, notification, partial refund', async (t) => {
    const no = outTradeNo()
    const created = await wx.v3.pay.transactions.native.post(order(no, 1000))
    t.equal(created.status, 200)
    t.match(created.data.code_url, new RegExp(`^${b.gw.engine.config.publicUrl}/cashier/pay_`))
    t.equal(created.headers['wechatpay-serial'], serialHeader, 'the answer names the platform key the SDK was given')
    const page = await fetch(created.data.code_url.replace(b.gw.engine.config.publicUrl, b.gw.base))
    t.match(await page.text(), /<svg class="qr"/, 'the cashier shows a QR code of itself')
    const paid = await fetch(created.data.code_url.replace(b.gw.engine.config.publicUrl, b.gw.base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'pass' }) })
    t.equal(paid.status, 200)

    const q = await query(no)
    t.match(q.data, { trade_state: 'SUCCESS', out_trade_no: no, mchid: m.mchid, appid: m.appid, trade_type: 'NATIVE', amount: { total: 1000, payer_total: 1000, currency: 'CNY' } })
    t.match(q.data.transaction_id, /^4200\d{24}$/)
    const byId = await wx.v3.pay.transactions.id.$transaction_id$.get({ params: { mchid: m.mchid }, transaction_id: q.data.transaction_id })
    t.same(byId.data, q.data, 'the same order by transaction_id')

    const [note] = await b.rx.waitFor(1)
    const { event, resource } = openNotification(note as Received, m, platformKey)
    t.match(event, { event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', resource: { algorithm: 'AEAD_AES_256_GCM', original_type: 'transaction' } })
    t.same(resource, q.data, 'the decrypted resource is the transaction the query shows')
    t.equal(note?.headers['wechatpay-serial'], serialHeader)

    const refund = await wx.v3.refund.domestic.refunds.post({ out_trade_no: no, out_refund_no: `R${no}`, reason: 'partial', amount: { refund: 300, total: 1000, currency: 'CNY' } })
    t.match(refund.data, { out_refund_no: `R${no}`, out_trade_no: no, transaction_id: q.data.transaction_id, status: 'SUCCESS', amount: { refund: 300, total: 1000 } })
    const found = await wx.v3.refund.domestic.refunds.$out_refund_no$.get({ out_refund_no: `R${no}` })
    t.same(found.data, refund.data)
    const [, refundNote] = await b.rx.waitFor(2)
    const opened = openNotification(refundNote as Received, m, platformKey)
    t.equal(opened.event.event_type, 'REFUND.SUCCESS')
    t.match(opened.resource, { out_refund_no: `R${no}`, refund_status: 'SUCCESS', amount: { refund: 300, total: 1000 } })
    t.equal((await query(no)).data.trade_state, 'REFUND')
  })

  await t.test('a tampered answer (bad_signature) is refused by the SDK', async (t) => {
    const err = await wx.v3.pay.transactions.native.post(order(outTradeNo(), 1000), { headers: { 'Paylab-Scenario': 'bad_signature' } }).then(() => undefined, (e: any) => e)
    t.equal(err?.code, 'EV3_RES_HEADER_SIGNATURE_DIGEST')
  })

  await t.test('declined by magic amount: PAYERROR after the buyer acts', async (t) => {
    const no = outTradeNo()
    const created = await wx.v3.pay.transactions.native.post(order(no, 40051))
    await fetch(created.data.code_url.replace(b.gw.engine.config.publicUrl, b.gw.base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'pass' }) })
    const q = await query(no)
    t.match(q.data, { trade_state: 'PAYERROR', trade_state_desc: /insufficient_funds/ })
  })

  await t.test('a lost answer (response_lost) is repaired by a query', async (t) => {
    const no = outTradeNo()
    const err = await wx.v3.pay.transactions.native.post(order(no, 1000), { headers: { 'Paylab-Scenario': 'response_lost' } }).then(() => undefined, (e: any) => e)
    t.ok(err !== undefined && err.response === undefined, `no answer reached the SDK (${String(err?.code ?? err?.message)})`)
    const q = await query(no)
    t.match(q.data, { out_trade_no: no, trade_state: 'NOTPAY' }, 'the order was made: the query finds it')
    const again = await wx.v3.pay.transactions.native.post(order(no, 1000))
    t.match(again.data.code_url, /\/cashier\/pay_/, 'creating it again gives the same order')
  })

  await t.test('errors in WeChat\'s format', async (t) => {
    const missing = await query(outTradeNo()).then(() => undefined, (e: any) => e)
    t.equal(missing?.response?.status, 404)
    t.match(missing?.response?.data, { code: 'ORDER_NOT_EXIST' })
    const bad = await wx.v3.pay.transactions.native.post({ ...order(outTradeNo(), 1000), amount: { total: 0 } }).then(() => undefined, (e: any) => e)
    t.equal(bad?.response?.status, 400)
    t.match(bad?.response?.data, { code: 'PARAM_ERROR', detail: { field: '/amount/total', location: 'body' } })
    const closedNo = outTradeNo()
    await wx.v3.pay.transactions.native.post(order(closedNo, 1000))
    const closed = await wx.v3.pay.transactions.outTradeNo.$out_trade_no$.close.post({ mchid: m.mchid }, { out_trade_no: closedNo })
    t.equal(closed.status, 204, 'close answers 204, signed over an empty body')
    t.equal((await query(closedNo)).data.trade_state, 'CLOSED')
    const reopen = await wx.v3.pay.transactions.native.post(order(closedNo, 1000)).then(() => undefined, (e: any) => e)
    t.match(reopen?.response?.data, { code: 'ORDER_CLOSED' })
  })
}

t.test('public-key mode', async (t) => {
  const b = await wechatpayBench(t, 'public_key')
  const m = b.merchant
  t.match(m.platform_public_key_id, /^PUB_KEY_ID_\d+$/)
  const wx = client(b.gw.base, m, { [m.platform_public_key_id]: m.platform_public_key })
  await flows(t, b, wx, m.platform_public_key, m.platform_public_key_id)
  const entry = b.gw.engine.localJournal({ channel: 'wechatpay', merchant_id: b.merchantId }).at(0)
  t.match(entry, { channel: 'wechatpay', signature: { verdict: 'valid', string_to_sign: /^POST\n\/v3\/pay\/transactions\/native\n\d+\n\w+\n\{/ } }, 'the journal keeps WeChat\'s string to sign')
})

t.test('certificate mode', async (t) => {
  const b = await wechatpayBench(t, 'certificate')
  const m = b.merchant
  const cert = new X509Certificate(m.platform_certificate)
  t.equal(cert.serialNumber.replace(/^0+/, ''), m.platform_certificate_serial.replace(/^0+/, ''), 'the certificate carries the serial the answers name')
  t.ok(Date.parse(cert.validFrom) < Date.now() && Date.parse(cert.validTo) > Date.now(), 'valid now')
  const platformKey = cert.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const wx = client(b.gw.base, m, { [m.platform_certificate_serial]: platformKey })
  const certs = await wx.v3.certificates.get()
  const [item] = certs.data.data
  t.equal(item.serial_no, m.platform_certificate_serial)
  const { ciphertext, nonce, associated_data: aad } = item.encrypt_certificate
  t.equal(Aes.AesGcm.decrypt(ciphertext, m.apiv3_key, nonce, aad), m.platform_certificate, '/v3/certificates decrypts to the platform certificate')
  await flows(t, b, wx, platformKey, m.platform_certificate_serial)
})
