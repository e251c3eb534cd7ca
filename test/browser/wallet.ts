// Wallets and bank transfer in a real browser: chosen at the shop's checkout, approved or
// declined on the channel's page; approved again from a stale page; and a buyer who changes
// their mind on the cashier.
import type { Test } from 'tap'
import { buy, orderStatus, type Kit } from '../helpers/browser.js'

export default function walletTests (t: Test, kit: Kit): void {
  t.test('wallet approved: the order is paid; approving again from a stale page shows it paid, with the way back', async (t) => {
    const s = await kit.shop(t, { width: 390, height: 844 })
    const paymentId = await buy(s, 'wallet:alipay')
    await s.page.getByRole('heading', { name: 'Pay with Alipay' }).waitFor()
    t.equal(await s.page.getByRole('button', { name: 'Alipay' }).getAttribute('aria-pressed'), 'true', 'the method chosen at the shop is selected')
    await s.shot('9-cashier-wallet-phone')
    // The same page in a second tab, as a buyer who goes Back after paying still has it.
    const stale = await s.context.newPage()
    t.teardown(() => stale.close())
    await stale.goto(s.page.url())
    await s.page.getByRole('button', { name: 'Approve payment' }).click()
    await orderStatus(s.page, 'paid')
    t.match(s.payment(paymentId), { status: 'succeeded', method: { wallet: { provider: 'alipay' } } })

    await stale.getByRole('button', { name: 'Approve payment' }).click()
    await stale.getByRole('heading', { name: 'The payment went through.' }).waitFor()
    t.equal(await stale.locator('[data-status]').getAttribute('data-status'), 'succeeded')
    t.match(await stale.locator('[data-status] p').first().textContent(), 'This payment has been paid.')
    await stale.getByRole('link', { name: 'Return to Demo Shop' }).click()
    await orderStatus(stale, 'paid')
    t.equal(s.payment(paymentId).status, 'succeeded', 'approved once')
  })

  t.test('wallet declined: the order says the provider declined', async (t) => {
    const s = await kit.shop(t)
    const paymentId = await buy(s, 'wallet:wechat_pay')
    await s.page.getByRole('heading', { name: 'Pay with WeChat Pay' }).waitFor()
    await s.page.getByRole('button', { name: 'Decline' }).click()
    await orderStatus(s.page, 'payment_failed')
    t.equal(await s.page.locator('#failure').textContent(), 'The payment was declined by the provider.')
    t.match(s.payment(paymentId), { status: 'failed', failure: { code: 'payment_declined' } })
  })

  t.test('the buyer switches from bank transfer to PayPal on the cashier and approves', async (t) => {
    const s = await kit.shop(t)
    const paymentId = await buy(s, 'bank_transfer')
    await s.page.getByRole('heading', { name: 'Bank transfer' }).waitFor()
    t.match(await s.page.locator('dl.transfer').textContent(), s.payment(paymentId).merchant_order_id, 'the order is the transfer reference')
    await s.shot('10-cashier-bank-transfer')
    await s.page.getByRole('button', { name: 'PayPal' }).click()
    await s.page.getByRole('heading', { name: 'Pay with PayPal' }).waitFor()
    await s.page.getByRole('button', { name: 'Approve payment' }).click()
    await orderStatus(s.page, 'paid')
    t.match(s.payment(paymentId), { status: 'succeeded', method: { type: 'wallet', wallet: { provider: 'paypal' } } })
  })
}
