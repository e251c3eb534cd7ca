// Alipay's computer-website payment in a real browser (issue #15): the official alipay-sdk makes
// the alipay.trade.page.pay URL, Chromium opens it, the buyer pays on paylab's cashier and comes
// back to the merchant's return_url, whose page verifies the signed return parameters with the
// SDK; the trade is then TRADE_SUCCESS by alipay.trade.query.
import type { Test } from 'tap'
import { landing, type Kit } from '../helpers/browser.js'
import { alipayGateway, tradeNo } from '../channels/alipay-helpers.js'

export default function alipayPagePayTests (t: Test, kit: Kit): void {
  t.test('alipay.trade.page.pay: opened in Chromium, paid on the cashier, the signed return verified', async (t) => {
    const gw = await alipayGateway(t)
    const { sdk, shown } = await gw.merchant('shop-ali-page')
    const verdicts: boolean[] = []
    // The merchant's return page: Alipay's parameters (its own `from` aside) checked with the SDK.
    const shop = await landing(t, (url) => {
      const { from: _from, ...params } = Object.fromEntries(url.searchParams)
      const ok = sdk.checkNotifySignV2(params)
      verdicts.push(ok)
      return `<h1 id="verdict" data-verified="${String(ok)}">${ok ? 'Signature verified' : 'Signature invalid'}</h1><p id="order">${params.out_trade_no ?? ''}</p>`
    })
    const order = tradeNo()
    const url = sdk.pageExec('alipay.trade.page.pay', 'GET', {
      bizContent: { outTradeNo: order, totalAmount: '12.34', subject: 'Tea set', productCode: 'FAST_INSTANT_TRADE_PAY' },
      returnUrl: `${shop.url}/alipay/return?from=alipay`
    })
    t.match(url, `${gw.base}/gateway.do?`, 'the SDK signs a URL to the gateway')

    const { page, shot } = await kit.tab()
    await page.goto(url)
    await page.waitForURL(`${gw.base}/cashier/pay_*`)
    await page.getByRole('heading', { name: 'Pay with Alipay' }).waitFor()
    t.match(await page.locator('main').textContent(), '12.34 CNY', 'the cashier shows the trade amount')
    await shot('alipay-page-pay-cashier')
    await page.getByRole('button', { name: 'Approve payment' }).click()

    await page.waitForURL(`${shop.url}/alipay/return?**`)
    await page.locator('#verdict').waitFor()
    t.equal(await page.locator('#verdict').textContent(), 'Signature verified', 'the return page verified the signed parameters')
    t.equal(await page.locator('#verdict').getAttribute('data-verified'), 'true')
    t.equal(await page.locator('#order').textContent(), order)
    await shot('alipay-page-pay-return')
    t.same(verdicts, [true], 'the buyer came back once, signed')
    const back = shop.got[0] as URL
    t.match(Object.fromEntries(back.searchParams), { from: 'alipay', out_trade_no: order, total_amount: '12.34', method: 'alipay.trade.page.pay.return', app_id: shown.app_id, sign_type: 'RSA2', sign: /.+/ })
    const { from: _from, ...params } = Object.fromEntries(back.searchParams)
    t.notOk(sdk.checkNotifySignV2({ ...params, total_amount: '1234.00' }), 'a changed amount would not verify')

    const query = await sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: order } }, { validateSign: true })
    t.match(query, { code: '10000', tradeStatus: 'TRADE_SUCCESS', outTradeNo: order, totalAmount: '12.34' })
  })
}
