// The official alipay-sdk, unchanged, against paylab: precreate, the buyer on the cashier, query,
// the notification, partial refunds and their query, OpenAPI v3 curl(), and page.pay to the
// signed synchronous return.
import t from 'tap'
import { AlipayRequestError } from 'alipay-sdk'
import { qrSvg } from '../../gateway/cashier/qr.js'
import { alipayGateway, receiver, tradeNo } from './alipay-helpers.js'
import { spareKeyPair } from '../helpers/fixture-keys.js'

t.test('alipay-sdk against paylab', async (t) => {
  const notify = await receiver(t)
  const gw = await alipayGateway(t)
  const { sdk, shown } = await gw.merchant('shop-ali', { notify_url: notify.url })
  t.match(shown.app_id, /^2021\d{12}$/)
  t.notOk('app_private_key' in shown, 'no private key is shown when the merchant gave its public key')

  const order = tradeNo()
  const gotNotified = notify.next()
  const pre = await sdk.exec('alipay.trade.precreate', { bizContent: { outTradeNo: order, totalAmount: '88.88', subject: 'Tea' } }, { validateSign: true })
  t.match(pre, { code: '10000', msg: 'Success', outTradeNo: order, qrCode: new RegExp(`^${gw.base}/cashier/pay_`) }, 'precreate answers a signed qr_code to the cashier')

  await t.test('the QR image of the trade', async (t) => {
    const page = await fetch(`${gw.base}/alipay/qr/${pre.qrCode.split('/').at(-1)}`)
    const html = await page.text()
    t.match(html, /<svg[^>]+viewBox/, 'an SVG QR code')
    t.ok(html.includes(pre.qrCode), 'beside a link to the cashier')
  })

  await t.test('the cashier page of a precreated trade shows the QR of its qr_code', async (t) => {
    const res = await gw.app.inject({ method: 'GET', url: new URL(pre.qrCode).pathname })
    t.equal(res.statusCode, 200)
    t.ok(res.body.includes(qrSvg(pre.qrCode, `QR code of ${pre.qrCode}`)), 'the SVG QR the cashier draws for exactly the qr_code answered')
    t.match(res.body, new RegExp(`<svg class="qr" role="img" aria-label="QR code of ${pre.qrCode}"`), 'named by the code it holds')
  })

  const paid = await fetch(pre.qrCode, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=pass' })
  t.equal(paid.status, 200, 'the buyer approves on the cashier')
  const query = await sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: order } }, { validateSign: true })
  t.match(query, { code: '10000', tradeStatus: 'TRADE_SUCCESS', totalAmount: '88.88', receiptAmount: '88.88', outTradeNo: order, tradeNo: /^pay_/ })
  // Both gateway.do calls are filed under the trade: the dashboard's timeline of the payment lists them.
  const filed = (await gw.engine.timeline(String(query.tradeNo)))?.requests.filter((e) => e.path === '/gateway.do').map((e) => `${e.status ?? ''}`)
  t.same(filed, ['200', '200'], 'the precreate and the query are on the trade\'s timeline')

  const note = await gotNotified
  t.equal(note.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8')
  t.match(note.form, { trade_status: 'TRADE_SUCCESS', out_trade_no: order, total_amount: '88.88', app_id: shown.app_id, sign_type: 'RSA2', notify_type: 'trade_status_sync' })
  t.ok(sdk.checkNotifySignV2(note.form), 'the notification verifies with checkNotifySignV2')
  t.notOk(sdk.checkNotifySignV2({ ...note.form, total_amount: '8888.00' }), 'and a changed one does not')

  t.test('partial refunds, several, by out_request_no, and their query', async (t) => {
    const refundNotified = notify.next()
    const first = await sdk.exec('alipay.trade.refund', { bizContent: { outTradeNo: order, refundAmount: '10.00', outRequestNo: 'r1' } }, { validateSign: true })
    t.match(first, { code: '10000', fundChange: 'Y', refundFee: '10.00', sendBackFee: '10.00' })
    const refundNote = await refundNotified
    t.match(refundNote.form, { out_trade_no: order, out_biz_no: 'r1', refund_fee: '10.00', trade_status: 'TRADE_SUCCESS', gmt_refund: /^\d{4}-/ }, 'a partial refund is notified, the trade still TRADE_SUCCESS')
    t.ok(sdk.checkNotifySignV2(refundNote.form))
    const second = await sdk.exec('alipay.trade.refund', { bizContent: { tradeNo: query.tradeNo, refundAmount: '5.01', outRequestNo: 'r2' } }, { validateSign: true })
    t.match(second, { code: '10000', fundChange: 'Y', refundFee: '15.01' })
    const again = await sdk.exec('alipay.trade.refund', { bizContent: { outTradeNo: order, refundAmount: '10.00', outRequestNo: 'r1' } }, { validateSign: true })
    t.match(again, { code: '10000', fundChange: 'N', refundFee: '15.01' }, 'the same out_request_no again moves no money')
    const tooMuch = await sdk.exec('alipay.trade.refund', { bizContent: { outTradeNo: order, refundAmount: '80.00', outRequestNo: 'r3' } }, { validateSign: true })
    t.match(tooMuch, { code: '40004', msg: 'Business Failed', subCode: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' }, 'a business error, signed')
    const r1 = await sdk.exec('alipay.trade.fastpay.refund.query', { bizContent: { outTradeNo: order, outRequestNo: 'r1' } }, { validateSign: true })
    t.match(r1, { code: '10000', refundAmount: '10.00', totalAmount: '88.88', refundStatus: 'REFUND_SUCCESS', outRequestNo: 'r1' })
    const none = await sdk.exec('alipay.trade.fastpay.refund.query', { bizContent: { outTradeNo: order, outRequestNo: 'r9' } }, { validateSign: true })
    t.equal(none.code, '10000')
    t.notOk('refundStatus' in none, 'a refund that does not exist: the trade without refund fields, as Alipay answers')
    const after = await sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: order } }, { validateSign: true })
    t.equal(after.tradeStatus, 'TRADE_SUCCESS', 'a partly refunded trade stays TRADE_SUCCESS')
  })

  t.test('OpenAPI v3: curl() with its signatures checked by the SDK', async (t) => {
    const v3 = await sdk.curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: order } })
    t.equal(v3.responseHttpStatus, 200)
    t.match(v3.data, { out_trade_no: order, trade_status: 'TRADE_SUCCESS', total_amount: '88.88' })
    const missing = await sdk.curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: 'nope' } }).catch((err: unknown) => err)
    t.match(missing, { name: 'AlipayRequestError', code: 'TRADE_NOT_EXIST', responseHttpStatus: 400 })
    const v3order = tradeNo()
    const created = await sdk.curl('POST', '/v3/alipay/trade/precreate', { body: { out_trade_no: v3order, total_amount: '1.00', subject: 'v3' } })
    t.match(created.data, { out_trade_no: v3order, qr_code: /\/cashier\/pay_/ })
    const closed = await sdk.curl('POST', '/v3/alipay/trade/close', { body: { out_trade_no: v3order } })
    t.match(closed.data, { out_trade_no: v3order })
    const q = await sdk.curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: v3order } })
    t.equal(q.data.trade_status, 'TRADE_CLOSED')
    const refund = await sdk.curl('POST', '/v3/alipay/trade/refund', { body: { out_trade_no: order, refund_amount: '1.00', out_request_no: 'v3r' } })
    t.match(refund.data, { fund_change: 'Y', refund_fee: '16.01' })
  })

  t.test('page.pay: the URL to the cashier, paid, and the signed synchronous return', async (t) => {
    const pageOrder = tradeNo()
    const url = sdk.pageExec('alipay.trade.page.pay', 'GET', {
      bizContent: { outTradeNo: pageOrder, totalAmount: '0.01', subject: 'Page', productCode: 'FAST_INSTANT_TRADE_PAY' },
      returnUrl: 'https://shop.example/return?from=alipay'
    })
    const opened = await fetch(url, { redirect: 'manual' })
    t.equal(opened.status, 302)
    const cashier = opened.headers.get('location') as string
    t.match(cashier, new RegExp(`^${gw.base}/cashier/pay_`))
    t.match(await (await fetch(cashier)).text(), /Pay with Alipay/, 'the cashier shows the trade')
    const approved = await fetch(cashier, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=pass', redirect: 'manual' })
    t.equal(approved.status, 303)
    const back = await fetch(new URL(approved.headers.get('location') as string, gw.base), { redirect: 'manual' })
    t.equal(back.status, 302)
    const returned = new URL(back.headers.get('location') as string)
    t.equal(`${returned.origin}${returned.pathname}`, 'https://shop.example/return')
    const params = Object.fromEntries(returned.searchParams)
    t.match(params, { from: 'alipay', out_trade_no: pageOrder, total_amount: '0.01', method: 'alipay.trade.page.pay.return', app_id: shown.app_id, sign_type: 'RSA2' })
    const { from: _from, ...alipayParams } = params
    t.ok(sdk.checkNotifySignV2(alipayParams), 'the synchronous return verifies')

    // pageExec's default: a POST form the browser submits.
    const form = sdk.pageExec('alipay.trade.wap.pay', { bizContent: { outTradeNo: tradeNo(), totalAmount: '2.00', subject: 'Wap', productCode: 'QUICK_WAP_WAY' } })
    const action = (/action="([^"]+)"/.exec(form) as RegExpExecArray)[1] as string
    const inputs = [...form.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] as string, (m[2] as string).replace(/&quot;/g, '"')])
    const posted = await fetch(action, { method: 'POST', body: new URLSearchParams(inputs), redirect: 'manual' })
    t.equal(posted.status, 302)
    t.match(posted.headers.get('location'), /\/cashier\/pay_/)
  })

  t.test('a request signed with another key: isv.invalid-signature, answered signed', async (t) => {
    const { AlipaySdk } = await import('alipay-sdk')
    const other = spareKeyPair(2, 'pkcs1')
    const wrong = new AlipaySdk({ appId: shown.app_id, privateKey: other.privateKey, alipayPublicKey: shown.alipay_public_key, gateway: `${gw.base}/gateway.do`, endpoint: gw.base })
    const res = await wrong.exec('alipay.trade.query', { bizContent: { outTradeNo: order } }, { validateSign: true })
    t.match(res, { code: '40002', msg: 'Invalid Arguments', subCode: 'isv.invalid-signature', subMsg: /app_id=.*&biz_content=/ })
    const v3 = await wrong.curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: order } }).catch((err: unknown) => err)
    t.ok(v3 instanceof AlipayRequestError)
    t.match(v3, { code: 'invalid-signature', responseHttpStatus: 401 })
    const [entry] = gw.engine.localJournal({ channel: 'alipay', path: '/gateway.do' }).filter((e) => e.signature?.verdict === 'isv.invalid-signature')
    t.match(entry, { merchant_id: 'shop-ali', error_code: 'isv.invalid-signature', signature: { string_to_sign: /method=alipay.trade.query/ } })
  })
})
