// alipay-sdk against a running paylab (npm start): precreate, the buyer pays on the cashier,
// the notification arrives and verifies, query, a partial refund, and OpenAPI v3.
//
//   PAYLAB_ADMIN_TOKEN=adm_… node examples/alipay/quickstart.mjs
//
// PAYLAB_URL defaults to http://127.0.0.1:7400. The script registers its own merchant with an
// Alipay app (paylab generates the app key pair and shows the private key once).
import { createServer } from 'node:http'
import { AlipaySdk } from 'alipay-sdk'

const gateway = process.env.PAYLAB_URL ?? 'http://127.0.0.1:7400'
const token = process.env.PAYLAB_ADMIN_TOKEN
if (token === undefined) {
  console.error('Set PAYLAB_ADMIN_TOKEN to the admin token npm start printed.')
  process.exit(2)
}

// The shop's notify_url: Alipay's notifications are acknowledged by the body `success` only.
let sdk
let notified
const received = new Promise((resolve) => { notified = resolve })
const shop = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => { body += chunk })
  req.on('end', () => {
    const form = Object.fromEntries(new URLSearchParams(body))
    const valid = sdk.checkNotifySignV2(form)
    res.end(valid ? 'success' : 'fail')
    notified({ form, valid })
  })
})
await new Promise((resolve) => shop.listen(0, '127.0.0.1', resolve))
const notifyUrl = `http://127.0.0.1:${shop.address().port}/alipay/notify`

const created = await fetch(`${gateway}/admin/merchants`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'Alipay example shop', notify_url: notifyUrl, channels: { alipay: {} } })
})
if (!created.ok) throw new Error(`POST /admin/merchants: ${created.status} ${await created.text()}`)
const app = (await created.json()).channels.alipay
console.log('app_id', app.app_id)

sdk = new AlipaySdk({
  appId: app.app_id,
  privateKey: app.app_private_key,
  alipayPublicKey: app.alipay_public_key,
  gateway: `${gateway}/gateway.do`, // exec, pageExec, sdkExec
  endpoint: gateway // curl (OpenAPI v3)
})

const outTradeNo = `example-${Date.now()}`
const pre = await sdk.exec('alipay.trade.precreate', { bizContent: { outTradeNo, totalAmount: '88.88', subject: 'Green tea' } }, { validateSign: true })
console.log('precreate', pre.code, 'qr_code', pre.qrCode)
console.log('QR image:', `${gateway}/alipay/qr/${pre.qrCode.split('/').pop()}`)

// The buyer scans and approves (what the cashier page's "Approve payment" button posts).
await fetch(pre.qrCode, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=pass' })

const { form, valid } = await received
console.log('notification', form.trade_status, form.out_trade_no, 'signature valid:', valid)

const query = await sdk.exec('alipay.trade.query', { bizContent: { outTradeNo } }, { validateSign: true })
console.log('query', query.tradeStatus, query.totalAmount)

const refund = await sdk.exec('alipay.trade.refund', { bizContent: { outTradeNo, refundAmount: '8.88', outRequestNo: 'refund-1' } }, { validateSign: true })
console.log('refund', refund.code, 'refund_fee', refund.refundFee)

const v3 = await sdk.curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: outTradeNo } })
console.log('v3 query', v3.data.trade_status, '(answer signature checked by the SDK)')

shop.close()
