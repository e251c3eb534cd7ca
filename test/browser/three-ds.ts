// 3-D Secure in a real browser: a card that asks for it continues on the cashier with the bank's
// code page; the documented code passes, any other fails, and the shop shows which.
import type { Test } from 'tap'
import { buy, orderStatus, payByCard, type Kit, type Session } from '../helpers/browser.js'

export default function threeDsTests (t: Test, kit: Kit): void {
  async function challenged (t: Test, shots = false): Promise<{ s: Session, paymentId: string }> {
    const s = await kit.shop(t)
    const paymentId = await buy(s, 'card')
    await payByCard(s.page, '4000 0027 6000 3184')
    await s.page.getByRole('heading', { name: /3-D Secure/ }).waitFor()
    t.match(await s.page.locator('main').textContent(), 'card ending in 3184')
    t.equal(await s.page.getByRole('button', { name: 'Pay with' }).count(), 0, 'no method switch once the card is given')
    if (shots) await s.shot('8-cashier-3ds')
    return { s, paymentId }
  }

  t.test('3-D Secure passed with the documented code: the order is paid', async (t) => {
    const { s, paymentId } = await challenged(t, true)
    await s.page.getByLabel('Verification code sent by your bank').fill('123456')
    await s.page.getByRole('button', { name: 'Verify' }).click()
    await orderStatus(s.page, 'paid')
    t.equal(s.payment(paymentId).status, 'succeeded')
  })

  t.test('3-D Secure failed with another code: the order says the authentication failed', async (t) => {
    const { s, paymentId } = await challenged(t)
    await s.page.getByLabel('Verification code sent by your bank').fill('000000')
    await s.page.keyboard.press('Enter')
    await orderStatus(s.page, 'payment_failed')
    t.equal(await s.page.locator('#failure').textContent(), 'The buyer failed 3-D Secure authentication.')
    t.match(s.payment(paymentId), { status: 'failed', failure: { code: 'authentication_failed' } })
  })
}
