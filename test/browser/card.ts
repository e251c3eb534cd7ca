// A buyer pays by card in a real browser: products → cart → checkout → the channel's hosted card
// form (the card is encrypted in the page) → back to the shop, which shows the order live.
import type { Test } from 'tap'
import { buy, orderIdOf, orderStatus, payByCard, type Kit } from '../helpers/browser.js'

export default function cardTests (t: Test, kit: Kit): void {
  t.test('card paid: the order becomes paid, the notification arrives, every step in the timeline', async (t) => {
    const s = await kit.shop(t)
    const paymentId = await buy(s, 'card', true)
    const { page } = s
    await page.getByRole('heading', { name: 'Card details' }).waitFor()
    t.match(await page.locator('.merchant').textContent(), 'Demo Shop')
    t.match(await page.locator('[data-amount]').textContent(), /^\d+\.\d\d USD$/)
    t.match(await page.locator('.order').textContent(), /Order ord_/)
    await s.shot('4-cashier-card')
    await payByCard(page, '4242 4242 4242 4242')
    await orderStatus(page, 'paid')
    t.equal(s.payment(paymentId).status, 'succeeded')
    // The notification may come after the return: the page adds it by itself.
    await page.locator('#timeline li.k-notification').first().waitFor()
    const steps = await page.locator('#timeline li').allTextContents()
    for (const words of [/Order placed/, /asked the payment channel/, /signature checked out/, /came back from the payment page/, /Order is now paid/, /notification \(the payment went through\)/]) {
      t.ok(steps.some((s) => words.test(s)), `timeline: ${String(words)}`)
    }
    t.match(await page.locator('#explain').textContent(), 'Thank you')
    await s.shot('5-order-paid')
    t.equal(s.pair.order(orderIdOf(page)).status, 'paid')
  })

  t.test('card declined: the buyer reads why on the order page and may try again', async (t) => {
    const s = await kit.shop(t)
    await buy(s, 'card')
    await payByCard(s.page, '4000000000000002')
    await orderStatus(s.page, 'payment_failed')
    t.equal(await s.page.locator('#failure').textContent(), 'The card was declined.')
    t.match(await s.page.locator('#explain').textContent(), 'Nothing was charged')
    await s.shot('6-order-declined')
    await s.page.getByRole('button', { name: 'Try again' }).click()
    await s.page.waitForURL('**/checkout')
    t.match(await s.page.locator('[data-total]').first().textContent(), /USD/, 'the items are back for a new attempt')
  })

  t.test('a mistyped card is caught in the page, with a readable message, before anything is sent', async (t) => {
    const s = await kit.shop(t, { width: 390, height: 844 })
    const paymentId = await buy(s, 'card')
    const before = s.posted.length
    await payByCard(s.page, '4242 4242 4242 4241', '13 / 30', '12')
    t.equal(await s.page.locator('#cc-number-error').textContent(), 'This card number is not valid: check for a mistyped digit.')
    t.equal(await s.page.locator('#cc-exp-error').textContent(), 'The month must be between 01 and 12.')
    t.equal(await s.page.locator('#cc-cvc-error').textContent(), 'Enter the 3-digit security code.')
    t.equal(await s.page.getByLabel('Card number').getAttribute('aria-invalid'), 'true')
    t.ok(await s.page.getByLabel('Card number').evaluate((el) => el === document.activeElement), 'focus goes to the first field to fix')
    t.equal(s.posted.length, before, 'nothing was posted')
    t.ok(await s.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits a phone width')
    await s.shot('7-cashier-card-errors-phone')
    t.equal(s.payment(paymentId).status, 'requires_action')
  })

  t.test('keyboard only: the card form is filled with Tab and sent with Enter', async (t) => {
    const s = await kit.shop(t)
    await buy(s, 'card')
    await s.page.getByLabel('Card number').focus()
    await s.page.keyboard.type('5555555555554444')
    t.equal(await s.page.getByLabel('Card number').inputValue(), '5555 5555 5555 4444', 'grouped as typed')
    t.equal(await s.page.locator('#cc-brand').textContent(), 'Mastercard')
    for (const text of ['1234', '123']) { await s.page.keyboard.press('Tab'); await s.page.keyboard.type(text) }
    t.equal(await s.page.getByLabel('Expiry (MM / YY)').inputValue(), '12 / 34')
    await s.page.keyboard.press('Enter')
    await orderStatus(s.page, 'paid')
  })

  t.test('the card number never appears in a request body the page sends; only the envelope does', async (t) => {
    const s = await kit.shop(t)
    const paymentId = await buy(s, 'card')
    await payByCard(s.page, '4000 0000 0000 9995')
    await orderStatus(s.page, 'payment_failed')
    t.equal(await s.page.locator('#failure').textContent(), 'The card has insufficient funds.')
    const all = s.posted.map((p) => p.body).join('\n')
    t.ok(s.posted.length >= 3, 'cart, checkout and card were posted')
    for (const form of ['4000000000009995', '4000 0000 0000 9995', '4000+0000+0000+9995', '9995']) t.notMatch(all, form, `no "${form}"`)
    const card = s.posted.filter((p) => p.url.endsWith(`/cashier/${paymentId}/card`))
    t.equal(card.length, 1)
    const fields = Object.fromEntries(new URLSearchParams(card[0]?.body))
    t.same(Object.keys(fields).sort(), ['alg', 'ciphertext', 'encrypted_key', 'iv', 'key_id', 'tag'])
    t.equal(fields.alg, 'RSA-OAEP-256+A256GCM')
    t.equal(Buffer.from(fields.iv as string, 'base64').length, 12)
    t.equal(Buffer.from(fields.tag as string, 'base64').length, 16)
    t.match(s.payment(paymentId).method.card, { last4: '9995', brand: 'visa' }, 'the gateway opened it')
  })
}
