// A WeChat Pay v3 native order against `npm start`, with the official wechatpay-axios-plugin
// pointed at paylab by its baseURL: order, the buyer pays on the cashier, query, the notification
// verified and decrypted, a partial refund. Run: node examples/wechatpay/native-order.mjs [config]
// (config: the file `npm start` prints, .paylab/wechatpay-demo.json by default).
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin'

const config = JSON.parse(readFileSync(process.argv[2] ?? '.paylab/wechatpay-demo.json', 'utf8'))
const wxpay = new Wechatpay({
  mchid: config.mchid,
  serial: config.merchant_serial_no,
  privateKey: config.merchant_private_key,
  // Public-key mode; in certificate mode: { [config.platform_certificate_serial]: <the certificate's public key> }.
  certs: { [config.platform_public_key_id]: config.platform_public_key },
  baseURL: `${config.baseURL}/`
})

// The merchant's notify endpoint: verify the Wechatpay-* signature, decrypt the resource, answer 204.
const notifications = []
const receiver = createServer((req, res) => {
  let body = ''
  req.on('data', (c) => { body += c })
  req.on('end', () => {
    const h = req.headers
    const ok = Rsa.verify(Formatter.joinedByLineFeed(h['wechatpay-timestamp'], h['wechatpay-nonce'], body), h['wechatpay-signature'], config.platform_public_key)
    const { event_type: type, resource } = JSON.parse(body)
    const plain = JSON.parse(Aes.AesGcm.decrypt(resource.ciphertext, config.apiv3_key, resource.nonce, resource.associated_data))
    notifications.push({ type, ok, plain })
    console.log(`notification ${type}: signature ${ok ? 'verified' : 'WRONG'}, ${JSON.stringify(plain).slice(0, 120)}…`)
    res.writeHead(ok ? 204 : 401).end()
  })
})
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve))
const notifyUrl = `http://127.0.0.1:${receiver.address().port}/wechatpay/notify`
const waitFor = async (n) => { for (let i = 0; i < 100 && notifications.length < n; i++) await new Promise((r) => setTimeout(r, 100)) }

const outTradeNo = `EX${Date.now()}`
const { data: { code_url: codeUrl } } = await wxpay.v3.pay.transactions.native.post({
  appid: config.appid, mchid: config.mchid, description: 'paylab example', out_trade_no: outTradeNo, notify_url: notifyUrl, amount: { total: 100, currency: 'CNY' }
})
console.log(`code_url (open it, or scan its QR code): ${codeUrl}`)

// The buyer approves on the cashier (what the pay button does).
await fetch(codeUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'pass' }) })
const { data: order } = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ params: { mchid: config.mchid }, out_trade_no: outTradeNo })
console.log(`query: trade_state ${order.trade_state}, transaction_id ${order.transaction_id}`)
await waitFor(1)

const { data: refund } = await wxpay.v3.refund.domestic.refunds.post({ out_trade_no: outTradeNo, out_refund_no: `R${outTradeNo}`, amount: { refund: 30, total: 100, currency: 'CNY' } })
console.log(`refund ${refund.out_refund_no}: ${refund.status}`)
await waitFor(2)
receiver.close()
if (order.trade_state !== 'SUCCESS' || notifications.length < 2 || !notifications.every((n) => n.ok)) process.exitCode = 1
