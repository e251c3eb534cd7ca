// Failures on demand through the Alipay profile, seen by the official alipay-sdk: declines by
// magic amount, a lost answer repaired by query, a tampered answer refused, an outage, business
// errors signed; notification retries on Alipay's schedule and notification faults, on a
// virtual clock.
import t from 'tap'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { alipayGateway, receiver, tradeNo } from './alipay-helpers.js'

const clock = new VirtualClock(Date.parse('2026-03-02T02:00:00Z'))
const biz = (outTradeNo: string, totalAmount: string, extra: Record<string, string> = {}) => ({ bizContent: { outTradeNo, totalAmount, subject: 'Sandbox', ...extra } })
const barcode = (outTradeNo: string, totalAmount: string) => biz(outTradeNo, totalAmount, { scene: 'bar_code', authCode: '281234567890123456' })

t.test('failures through the Alipay profile', async (t) => {
  const notify = await receiver(t)
  const gw = await alipayGateway(t, { clock })
  const { sdk } = await gw.merchant('shop-fail', { notify_url: notify.url })
  const pay = (qrCode: string, action = 'pass') => fetch(qrCode, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action }) })

  t.test('barcode pay decides at once; a declining magic amount is a signed business error', async (t) => {
    const ok = await sdk.exec('alipay.trade.pay', barcode(tradeNo(), '12.34'), { validateSign: true })
    t.match(ok, { code: '10000', totalAmount: '12.34', receiptAmount: '12.34', gmtPayment: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/ })
    const order = tradeNo()
    const poor = await sdk.exec('alipay.trade.pay', barcode(order, '400.51'), { validateSign: true })
    t.match(poor, { code: '40004', subCode: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' })
    t.match(await sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: order } }), { tradeStatus: 'TRADE_CLOSED' })
    const slow = await sdk.exec('alipay.trade.pay', barcode(tradeNo(), '401.00'), { validateSign: true })
    t.match(slow, { code: '10003', msg: 'Order success pay inprocess' }, 'a processing amount: the buyer has yet to confirm')
    const badCode = await sdk.exec('alipay.trade.pay', biz(tradeNo(), '1.00', { scene: 'bar_code', authCode: 'abc' }), { validateSign: true })
    t.match(badCode, { code: '40004', subCode: 'ACQ.PAYMENT_AUTH_CODE_INVALID' })
  })

  t.test('a declined wallet trade: the buyer approves, the amount declines', async (t) => {
    const order = tradeNo()
    const pre = await sdk.exec('alipay.trade.precreate', biz(order, '400.02'), { validateSign: true })
    t.equal((await pay(pre.qrCode)).status, 200)
    t.match(await sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: order } }, { validateSign: true }), { tradeStatus: 'TRADE_CLOSED' })
    const again = await sdk.exec('alipay.trade.precreate', biz(order, '400.02'), { validateSign: true })
    t.match(again, { code: '40004', subCode: 'ACQ.TRADE_HAS_CLOSE' })
  })

  t.test('response_lost on alipay.trade.pay: the SDK gets no answer, the query finds the trade paid', async (t) => {
    const order = tradeNo()
    const lost = await sdk.exec('alipay.trade.pay', barcode(order, '500.04')).catch((err: unknown) => err)
    t.match(lost, { name: 'AlipayRequestError', message: /HttpClient Request error/ })
    const q = await sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: order } }, { validateSign: true })
    t.match(q, { code: '10000', tradeStatus: 'TRADE_SUCCESS', totalAmount: '500.04' })
    const [entry] = gw.engine.localJournal({ channel: 'alipay', path: '/gateway.do' }).filter((e) => e.fault?.startsWith('response_lost') === true)
    t.match(entry, { status: null, merchant_order_id: order })
  })

  t.test('a tampered answer (bad_signature) is refused by the SDK; without validateSign it passes', async (t) => {
    const refused = await sdk.exec('alipay.trade.precreate', biz(tradeNo(), '500.08'), { validateSign: true }).catch((err: unknown) => err)
    t.match(refused, { name: 'AlipayRequestError', message: /验签失败/ })
    const unchecked = await sdk.exec('alipay.trade.precreate', biz(tradeNo(), '500.08'))
    t.equal(unchecked.code, '10000', 'the body itself is sound: only its signature is wrong')
    const unknownKey = await sdk.exec('alipay.trade.precreate', biz(tradeNo(), '500.09'), { validateSign: true }).catch((err: unknown) => err)
    t.match(unknownKey, { message: /验签失败/ }, 'signed with a key the merchant was never given')
    const v3 = await sdk.curl('POST', '/v3/alipay/trade/precreate', { body: { out_trade_no: tradeNo(), total_amount: '500.08', subject: 'v3' } }).catch((err: unknown) => err)
    t.match(v3, { code: 'response-signature-verify-error' }, 'v3: the SDK checks the answer headers')
    const cut = await sdk.exec('alipay.trade.precreate', biz(tradeNo(), '500.07'), { validateSign: true }).catch((err: unknown) => err)
    t.match(cut, { message: /Response 格式错误/ }, 'malformed_body: half an answer')
  })

  t.test('an outage is an HTTP error; business errors are signed 200s', async (t) => {
    const down = await sdk.exec('alipay.trade.precreate', biz(tradeNo(), '505.03'), { validateSign: true }).catch((err: unknown) => err)
    t.match(down, { name: 'AlipayRequestError', message: /status: 503/ })
    const missing = await sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: 'no-such-trade' } }, { validateSign: true })
    t.match(missing, { code: '40004', msg: 'Business Failed', subCode: 'ACQ.TRADE_NOT_EXIST' })
    const noMethod = await sdk.exec('alipay.trade.unknown', {}, { validateSign: true })
    t.match(noMethod, { code: '40002', subCode: 'isv.invalid-method' }, 'a method paylab does not serve, signed under its own key')
    const badAmount = await sdk.exec('alipay.trade.precreate', biz(tradeNo(), '1.001'), { validateSign: true })
    t.match(badAmount, { code: '40004', subCode: 'ACQ.INVALID_PARAMETER', subMsg: /total_amount/ })
    const float = await sdk.exec('alipay.trade.precreate', biz(tradeNo(), '1e2'), { validateSign: true })
    t.equal(float.subCode, 'ACQ.INVALID_PARAMETER', 'amounts are decimal yuan text, not any number a float parser takes')
  })

  t.test('close, cancel, and a paid trade that cannot be closed', async (t) => {
    const open = tradeNo()
    await sdk.exec('alipay.trade.precreate', biz(open, '3.00'))
    t.match(await sdk.exec('alipay.trade.cancel', { bizContent: { outTradeNo: open } }, { validateSign: true }), { code: '10000', action: 'close', retryFlag: 'N' })
    const paid = tradeNo()
    await sdk.exec('alipay.trade.pay', barcode(paid, '4.00'))
    t.match(await sdk.exec('alipay.trade.close', { bizContent: { outTradeNo: paid } }, { validateSign: true }), { code: '40004', subCode: 'ACQ.TRADE_STATUS_ERROR' })
    t.match(await sdk.exec('alipay.trade.cancel', { bizContent: { outTradeNo: paid } }, { validateSign: true }), { code: '10000', action: 'refund' })
    t.match(await sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: paid } }), { tradeStatus: 'TRADE_CLOSED', refundAmount: '4.00' }, 'refunded in full: closed')
    const created = await sdk.exec('alipay.trade.create', biz(tradeNo(), '5.00', { buyerId: '2088102177846880' }), { validateSign: true })
    t.match(created, { code: '10000', tradeNo: /^pay_/ })
    t.match(await sdk.exec('alipay.trade.close', { bizContent: { tradeNo: created.tradeNo } }, { validateSign: true }), { code: '10000', tradeNo: created.tradeNo })
  })

  t.test('notifications: Alipay\'s retry schedule on the virtual clock; only `success` acknowledges', async (t) => {
    const order = tradeNo()
    const pre = await sdk.exec('alipay.trade.precreate', biz(order, '7.00'))
    notify.answers.set(order, ['fail', 'SUCCESS', 'success'])
    const first = notify.next()
    const start = clock.now()
    await pay(pre.qrCode)
    await first
    await gw.engine.advanceClock(240_000)
    await gw.engine.advanceClock(600_000)
    await gw.engine.advanceClock(3_600_000)
    const mine = notify.got.filter((r) => r.form.out_trade_no === order)
    t.equal(mine.length, 3, 'fail and SUCCESS are not acknowledgements; success is')
    t.equal(new Set(mine.map((r) => r.form.notify_id)).size, 1, 'one notify_id for every attempt')
    t.ok(mine.every((r) => sdk.checkNotifySignV2(r.form)))
    const event = gw.engine.findEvents({ limit: Infinity }).filter((e) => e.merchant_order_id === order).at(-1)
    t.equal(event?.status, 'delivered')
    t.same(event?.attempts.map((a) => (Date.parse(a.at) - start) / 1000), [0, 240, 840], '4m, then 10m')
  })

  t.test('notification faults: a wrong signature first, then a right one', async (t) => {
    const order = tradeNo()
    const pre = await sdk.exec('alipay.trade.precreate', biz(order, '600.06'))
    notify.answers.set(order, ['fail'])
    const first = notify.next()
    await pay(pre.qrCode)
    const bad = await first
    t.notOk(sdk.checkNotifySignV2(bad.form), 'the first attempt does not verify')
    const second = notify.next()
    await gw.engine.advanceClock(240_000)
    t.ok(sdk.checkNotifySignV2((await second).form), 'the retry does')
    const tamperedOrder = tradeNo()
    const pre2 = await sdk.exec('alipay.trade.precreate', biz(tamperedOrder, '600.09'))
    const tampered = notify.next()
    await pay(pre2.qrCode)
    const got = await tampered
    t.not(got.form.total_amount, '600.09')
    t.notOk(sdk.checkNotifySignV2(got.form), 'a tampered body fails the check')
    await gw.engine.advanceClock(240_000)
  })

  t.test('the day\'s bill: a link to the same CSV as /v1/statements', async (t) => {
    const order = tradeNo()
    await sdk.exec('alipay.trade.pay', barcode(order, '9.99'))
    const day = new Date(clock.now()).toISOString().slice(0, 10)
    const early = await sdk.exec('alipay.data.dataservice.bill.downloadurl.query', { bizContent: { billType: 'trade', billDate: day } }, { validateSign: true })
    t.match(early, { code: '40004', subCode: 'isp.bill_not_exist' }, 'not before the day is over')
    await gw.engine.advanceClock(86_400_000)
    const res = await sdk.exec('alipay.data.dataservice.bill.downloadurl.query', { bizContent: { billType: 'trade', billDate: day } }, { validateSign: true })
    t.match(res, { code: '10000', billDownloadUrl: new RegExp(`^${gw.base}/alipay/bills/`) })
    const csv = await (await fetch(res.billDownloadUrl)).text()
    t.match(csv, new RegExp(`^payment_id,merchant_order_id,`))
    t.match(csv, new RegExp(`,${order},.*,succeeded,wallet,CNY,999,999,0,`))
    t.equal(csv, gw.engine.statement('shop-fail', day), 'the statement of /v1/statements')
    const forged = await fetch(res.billDownloadUrl.replace(day, '2020-01-01'))
    t.equal(forged.status, 403)
  })

  t.test('a year on, a paid trade is finished and can no longer be refunded', async (t) => {
    const order = tradeNo()
    await sdk.exec('alipay.trade.pay', barcode(order, '2.00'))
    await gw.engine.advanceClock(366 * 86_400_000)
    t.match(await sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: order } }), { tradeStatus: 'TRADE_FINISHED' })
    t.match(await sdk.exec('alipay.trade.refund', { bizContent: { outTradeNo: order, refundAmount: '1.00' } }), { code: '40004', subCode: 'ACQ.TRADE_STATUS_ERROR' })
  })
})
