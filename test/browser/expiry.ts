// A buyer who abandons the payment page: back at the shop the order waits, with a way back to
// the payment; when the gateway's (virtual) clock passes the expiry, the channel closes the
// payment, notifies the shop, and the open order page shows it closed without a reload.
import type { Test } from 'tap'
import { buy, demoShop, orderStatus, session, type Kit } from '../helpers/browser.js'

export default function expiryTests (t: Test, kit: Kit): void {
  t.test('abandoned at the cashier: the order waits, then closes on expiry', async (t) => {
    // A shop and gateway of its own: the clock it moves would expire the shared shop's payments.
    const s = session(t, await kit.tab(), await demoShop(t))
    const paymentId = await buy(s, 'card')
    await s.page.getByRole('button', { name: 'Cancel and return to Demo Shop' }).click()
    await orderStatus(s.page, 'pending_payment')
    t.match(await s.page.locator('#explain').textContent(), 'not finished yet')
    t.equal(await s.page.getByRole('link', { name: 'Continue to payment' }).getAttribute('href'), s.payment(paymentId).next_action?.url)
    await s.shot('11-order-waiting')
    t.equal(s.payment(paymentId).status, 'requires_action', 'cancel on the cashier leaves the payment waiting')

    await s.pair.gw.advance('15m')
    await s.page.locator('#status[data-status="closed"]').waitFor()
    t.match(s.payment(paymentId), { status: 'canceled', cancellation_reason: 'expired' })
    t.equal(await s.page.locator('#explain').textContent(), 'The order was closed without a payment. Nothing was charged.')
    t.ok(await s.page.locator('#continue').isHidden(), 'no way back to a closed payment')
    t.ok(await s.page.locator('#again').isVisible(), 'but the buyer may try again')
    const steps = await s.page.locator('#timeline li').allTextContents()
    t.ok(steps.some((e) => /notification \(the payment (expired|was canceled)/.test(e)), 'the notification is in the timeline')
    t.ok(steps.some((e) => /Order is now closed/.test(e)))
    await s.shot('12-order-closed')
    await orderStatus(s.page, 'closed')
  })
}
