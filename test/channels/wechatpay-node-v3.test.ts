// WeChat Pay v3 through the official wechatpay-node-v3, unchanged, with the shim its createHttp
// hook takes (examples/wechatpay/paylab-http.js). This SDK verifies only when asked: every answer
// here goes through its verifySign, which fetches the platform certificate from /v3/certificates
// (certificate mode, the mode this SDK supports) through the same shim.
import t from 'tap'
import WxPay from 'wechatpay-node-v3'
import { paylabHttp, type PaylabAnswer } from '../../examples/wechatpay/paylab-http.js'
import { outTradeNo, wechatpayBench } from '../helpers/wechatpay.js'

t.test('wechatpay-node-v3 with the createHttp shim', async (t) => {
  const b = await wechatpayBench(t, 'certificate')
  const m = b.merchant
  // The merchant's certificate is not needed: with serial_no given the SDK never reads it.
  const pay = new WxPay({ appid: m.appid, mchid: m.mchid, serial_no: m.merchant_serial_no, publicKey: Buffer.from('unused'), privateKey: Buffer.from(m.merchant_private_key), key: m.apiv3_key })
  pay.createHttp(paylabHttp(b.gw.base))
  const verified = async (res: PaylabAnswer): Promise<boolean> => await pay.verifySign({
    timestamp: res.headers['wechatpay-timestamp'] as string, nonce: res.headers['wechatpay-nonce'] as string, body: res.text,
    serial: res.headers['wechatpay-serial'] as string, signature: res.headers['wechatpay-signature'] as string, apiSecret: m.apiv3_key
  })
  // A sandbox header (Paylab-Scenario) for one call: the SDK has no per-call headers, the shim takes them.
  const native = async (no: string, total: number, headers: Record<string, string> = {}): Promise<PaylabAnswer> => {
    const shim = paylabHttp(b.gw.base)
    pay.createHttp({ ...shim, post: (url: string, params: unknown, h: Record<string, string>) => shim.post(url, params, { ...h, ...headers }) })
    try {
      return await pay.transactions_native({ description: 'paylab node-v3 order', out_trade_no: no, notify_url: b.rx.url, amount: { total, currency: 'CNY' } }) as PaylabAnswer
    } finally {
      pay.createHttp(shim)
    }
  }
  const buyer = (codeUrl: string, action: string) => fetch(codeUrl.replace(b.gw.engine.config.publicUrl, b.gw.base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action }) })

  await t.test('native order, pay, query, notification, partial refund, REFUND.SUCCESS', async (t) => {
    const no = outTradeNo()
    const created = await native(no, 2000)
    t.equal(created.status, 200)
    t.ok(await verified(created), 'the create answer verifies with the platform certificate the SDK fetched')
    await buyer(created.data.code_url, 'pass')
    const q = await pay.query({ out_trade_no: no }) as PaylabAnswer
    t.match(q.data, { trade_state: 'SUCCESS', out_trade_no: no, amount: { total: 2000 } })
    t.ok(await verified(q))

    const [note] = await b.rx.waitFor(1)
    const h = note?.headers ?? {}
    t.ok(await pay.verifySign({ timestamp: String(h['wechatpay-timestamp']), nonce: String(h['wechatpay-nonce']), body: note?.text ?? '', serial: String(h['wechatpay-serial']), signature: String(h['wechatpay-signature']), apiSecret: m.apiv3_key }), 'the notification verifies')
    const event = note?.json()
    const resource = pay.decipher_gcm<any>(event.resource.ciphertext, event.resource.associated_data, event.resource.nonce, m.apiv3_key)
    t.equal(event.event_type, 'TRANSACTION.SUCCESS')
    t.match(resource, { out_trade_no: no, trade_state: 'SUCCESS', transaction_id: q.data.transaction_id })

    const refund = await pay.refunds({ transaction_id: q.data.transaction_id, out_refund_no: `R${no}`, amount: { refund: 500, total: 2000, currency: 'CNY' } }) as PaylabAnswer
    t.match(refund.data, { status: 'SUCCESS', amount: { refund: 500 } })
    t.ok(await verified(refund))
    const found = await pay.find_refunds(`R${no}`) as PaylabAnswer
    t.same(found.data, refund.data)
    t.ok(await verified(found))
    const [, refundNote] = await b.rx.waitFor(2)
    const r = refundNote?.json()
    t.equal(r.event_type, 'REFUND.SUCCESS')
    t.match(pay.decipher_gcm(r.resource.ciphertext, r.resource.associated_data, r.resource.nonce, m.apiv3_key), { out_refund_no: `R${no}`, refund_status: 'SUCCESS' })
  })

  await t.test('a tampered answer fails verifySign', async (t) => {
    const tampered = await native(outTradeNo(), 2000, { 'Paylab-Scenario': 'bad_signature' })
    t.equal(tampered.status, 200)
    t.notOk(await verified(tampered), 'verifySign refuses it')
  })

  await t.test('declined by magic amount; a lost answer repaired by query; close', async (t) => {
    const no = outTradeNo()
    const created = await native(no, 40051)
    await buyer(created.data.code_url, 'pass')
    t.equal((await pay.query({ out_trade_no: no }) as PaylabAnswer).data.trade_state, 'PAYERROR')
    const lostNo = outTradeNo()
    const lost = await native(lostNo, 2000, { 'Paylab-Scenario': 'response_lost' }).then(() => undefined, (e: Error) => e)
    t.type(lost, Error, 'no answer reached the SDK')
    const q = await pay.query({ out_trade_no: lostNo }) as PaylabAnswer
    t.equal(q.data.trade_state, 'NOTPAY', 'the query finds the order the lost answer made')
    const closed = await pay.close(lostNo) as PaylabAnswer
    t.equal(closed.status, 204)
    t.ok(await verified(closed), 'the empty 204 answer is signed too')
  })
})
