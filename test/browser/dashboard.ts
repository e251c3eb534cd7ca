// The sandbox dashboard in a real browser: log in, watch a payment made through the API appear,
// open its timeline, resend its failed notification, let the virtual clock fire a retry, add a
// response_lost rule from the form and see its hit and journal entry, and read the string to sign
// of a badly signed request. A screenshot of each page goes to artifacts/screenshots/dashboard-*.
import type { Test } from 'tap'
import { gatewayBench } from '../helpers/pair.js'
import { orderId } from '../helpers/build.js'
import type { Kit } from '../helpers/browser.js'

/** A receiver nobody listens on: every delivery attempt fails at once (connection refused). */
const DEAD_HOOK = 'http://127.0.0.1:9/hook'

export default function dashboardTests (t: Test, kit: Kit): void {
  t.test('dashboard: log in, watch, resend, move the clock, add a rule, debug a signature', async (t) => {
    const bench = await gatewayBench(t, { virtual: true, merchant: { name: 'Dashboard Shop' } })
    const { gw, merchant } = bench
    const { context, page, shot } = await kit.tab({ width: 1280, height: 800 })
    const body = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
      ({ merchant_order_id: orderId(), amount: 2500, currency: 'USD', method: { type: 'bank_transfer' }, ...extra })
    const creds = { merchant: merchant.id, secret: merchant.secret }

    // Log in: the page asks for the token and keeps it in a cookie, not in the URL.
    const unauthenticated = await page.goto(`${gw.base}/dashboard/payments`)
    t.equal(unauthenticated?.status(), 401)
    await shot('dashboard-1-login')
    await page.getByLabel('Admin token').fill(gw.engine.adminToken)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.getByRole('heading', { name: 'Payments' }).waitFor()
    t.notOk(page.url().includes(gw.engine.adminToken), 'no token in the URL')
    t.match((await context.cookies()).find((c) => c.name === 'paylab_dashboard'), { httpOnly: true, sameSite: 'Strict' })

    // A payment made through the API appears in the open list by itself.
    const created = await gw.create(gw.cardPayment('4242424242424242', { notify_url: DEAD_HOOK, description: 'Two books' }), {}, creds)
    const row = page.locator(`#payment-rows tr[data-id="${created.id as string}"]`)
    await row.waitFor()
    t.match(await row.textContent(), merchant.id)
    // A keyboard user on a row keeps their place when the list refreshes under them.
    await row.getByRole('link').focus()
    const next = await gw.create(body(), {}, creds)
    await page.locator(`#payment-rows tr[data-id="${next.id as string}"]`).waitFor()
    t.equal(await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-id')), created.id, 'the focus stays on the same row')
    await shot('dashboard-2-payments')

    // Its timeline: the create and its answer, the notification and its failed attempt.
    await gw.advance('0s') // the first attempt (due now) has run
    await row.getByRole('link').click()
    await page.locator('#timeline').waitFor()
    t.match(await page.locator('#timeline li[data-kind=request]').first().textContent(), /POST \/v1\/payments\s*→\s*201/)
    const notification = page.locator('#timeline li[data-kind=notification]').first()
    await notification.locator('tr[data-attempt="1"]').waitFor()
    t.match(await notification.locator('tr[data-attempt="1"]').textContent(), DEAD_HOOK)

    // Resend: a new attempt, at once.
    await notification.getByRole('button', { name: /^Resend/ }).click()
    await page.locator('#timeline li[data-kind=notification] tr[data-attempt="2"]').waitFor()
    await shot('dashboard-3-timeline')

    // The clock: an hour on, the retry scheduled after the first failure fires.
    await page.getByRole('navigation').getByRole('link', { name: 'Clock' }).click()
    await page.getByRole('button', { name: 'Advance 1h' }).click()
    const fired = page.locator('#fired li[data-kind="event.deliver"]')
    await fired.first().waitFor()
    t.ok(await fired.count() >= 1, 'a notification retry fired')
    await shot('dashboard-4-clock')
    const events = (await gw.engine.timeline(created.id as string))?.events ?? []
    t.ok((events[0]?.attempts.length ?? 0) >= 3, 'the retry is the third attempt')

    // A response_lost rule from the form; a create loses its answer; the rule counts its hit.
    await page.getByRole('navigation').getByRole('link', { name: 'Rules' }).click()
    await page.getByLabel('Merchant', { exact: true }).selectOption(merchant.id)
    await page.getByLabel('Does').selectOption('fault:response_lost')
    await page.getByLabel('Method').selectOption('POST')
    await page.getByLabel('Path').fill('/v1/payments')
    await page.getByLabel('Times').fill('1')
    await page.getByRole('button', { name: 'Add rule' }).click()
    const ruleRow = page.locator('#rules tbody tr[data-id]')
    await ruleRow.waitFor()
    t.equal(await ruleRow.locator('[data-hits]').textContent(), '0')
    const lost = await gw.call({ method: 'POST', path: '/v1/payments', body: body() }, creds)
    t.notOk(lost.ok, 'the answer was lost')
    await page.reload()
    t.equal(await page.locator('#rules tbody tr[data-id] [data-hits]').textContent(), '1')
    await shot('dashboard-5-rules')
    await page.getByRole('navigation').getByRole('link', { name: 'Journal' }).click()
    const lostEntry = page.locator('#journal-rows tr', { hasText: 'response_lost' }).first()
    await lostEntry.waitFor()
    t.match(await lostEntry.textContent(), /POST \/v1\/payments/)
    await shot('dashboard-6-journal')

    // A bad signature: its entry shows the string the gateway computed, newlines visible.
    const refused = await gw.call({ method: 'POST', path: '/v1/payments', body: body() }, { merchant: merchant.id, secret: 'not-the-secret' })
    t.equal(refused.ok && refused.status, 401)
    const badEntry = page.locator('#journal-rows tr', { hasText: 'PAYLAB_SIGNATURE_INVALID' }).first()
    await badEntry.waitFor()
    await badEntry.getByRole('link').click()
    const computed = page.locator('#computed-string')
    await computed.waitFor()
    t.match(await computed.textContent(), /^POST\\n\n\/v1\/payments\\n\n\d+\\n\n[\w-]+\\n\n\{"merchant_order_id"/)
    t.match(await page.locator('#broken-rule').textContent(), 'Wrong key')
    await shot('dashboard-7-signature')

    await page.getByRole('navigation').getByRole('link', { name: 'Merchants' }).click()
    await page.locator(`#merchants tr[data-id="${merchant.id}"]`).waitFor()
    await shot('dashboard-8-merchants')
  })
}
