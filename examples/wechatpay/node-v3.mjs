// The same order with wechatpay-node-v3, whose host is fixed to WeChat's: the shim
// (./paylab-http.js) given to its createHttp hook sends its requests to paylab. This SDK checks
// answers only when asked (verifySign), as done here. Run: node examples/wechatpay/node-v3.mjs [config]
import { readFileSync } from 'node:fs'
import WxPay from 'wechatpay-node-v3'
import { paylabHttp } from './paylab-http.js'

const config = JSON.parse(readFileSync(process.argv[2] ?? '.paylab/wechatpay-demo.json', 'utf8'))
const pay = new WxPay({
  appid: config.appid,
  mchid: config.mchid,
  serial_no: config.merchant_serial_no,
  publicKey: Buffer.from('not read when serial_no is given'),
  privateKey: Buffer.from(config.merchant_private_key),
  key: config.apiv3_key
})
pay.createHttp(paylabHttp(config.baseURL))
// wechatpay-node-v3 2.2 knows certificate mode only: in public-key mode, give it the public key
// under its id (in certificate mode it fetches /v3/certificates itself).
WxPay.certificates[config.platform_public_key_id] = config.platform_public_key
const verified = (res) => pay.verifySign({
  timestamp: res.headers['wechatpay-timestamp'], nonce: res.headers['wechatpay-nonce'], body: res.text,
  serial: res.headers['wechatpay-serial'], signature: res.headers['wechatpay-signature']
})

const outTradeNo = `NV3${Date.now()}`
const created = await pay.transactions_native({ description: 'paylab node-v3 example', out_trade_no: outTradeNo, notify_url: 'http://127.0.0.1:9/none', amount: { total: 100, currency: 'CNY' } })
console.log(`create ${created.status}, signature ${await verified(created) ? 'verified' : 'WRONG'}: ${created.data.code_url}`)
await fetch(created.data.code_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'pass' }) })
const q = await pay.query({ out_trade_no: outTradeNo })
console.log(`query ${q.data.trade_state}, signature ${await verified(q) ? 'verified' : 'WRONG'}`)
if (q.data.trade_state !== 'SUCCESS') process.exitCode = 1
