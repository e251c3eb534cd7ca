// Stripe's 3-D Secure in a real browser (issue #16): stripe-node confirms with
// pm_card_authenticationRequired, the PaymentIntent requires_action, Chromium opens
// next_action.redirect_to_url.url, the buyer completes paylab's 3-D Secure page and lands on the
// merchant's return_url; the PaymentIntent is then succeeded.
import type { Test } from 'tap'
import { landing, type Kit } from '../helpers/browser.js'
import { stripeGateway } from '../helpers/stripe.js'

export default function stripeThreeDsTests (t: Test, kit: Kit): void {
  t.test('stripe pm_card_authenticationRequired: requires_action, 3-D Secure completed in Chromium, then succeeded', async (t) => {
    const gw = await stripeGateway(t)
    const { stripe } = await gw.merchant('shop-stripe-3ds')
    const shop = await landing(t, (url) => `<h1 id="back">Back at the shop</h1><p id="pi">${url.searchParams.get('payment_id') ?? ''}</p>`)
    const pi = await stripe.paymentIntents.create({ amount: 4200, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: `${shop.url}/complete` })
    t.equal(pi.status, 'requires_action')
    t.equal(pi.next_action?.type, 'redirect_to_url')
    const challenge = pi.next_action?.redirect_to_url?.url as string
    t.match(challenge, `${gw.url}/cashier/`)

    const { page, shot } = await kit.tab()
    await page.goto(challenge)
    await page.getByRole('heading', { name: /3-D Secure/ }).waitFor()
    t.match(await page.locator('main').textContent(), 'card ending in 3184', 'the page names the card of pm_card_authenticationRequired')
    t.match(await page.locator('main').textContent(), '42.00 USD')
    await shot('stripe-3ds-challenge')
    t.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'requires_action', 'still waiting while the page is open')
    await page.getByLabel('Verification code sent by your bank').fill('123456')
    await page.getByRole('button', { name: 'Verify' }).click()

    await page.waitForURL(`${shop.url}/complete?**`)
    // The cashier sends the buyer back with paylab's payment id (pay_…, the PaymentIntent's pi_… twin),
    // not yet with Stripe's own payment_intent/redirect_status parameters.
    t.equal((await page.locator('#pi').textContent())?.replace(/^pay_/, 'pi_'), pi.id, 'the buyer is back at the return_url, naming the payment')
    t.equal(shop.got.length, 1, 'once')
    await shot('stripe-3ds-returned')
    const after = await stripe.paymentIntents.retrieve(pi.id)
    t.match(after, { status: 'succeeded', amount_received: 4200, next_action: null })
  })
}
