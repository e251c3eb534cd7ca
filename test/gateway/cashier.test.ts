// The hosted pages a buyer is sent to by next_action, over a real socket as a browser uses them:
// the page for each kind of wait, the form posts, the way back to the merchant, and refusals.
import t from 'tap'
import { addMerchant } from '../helpers/merchants.js'
import { methodPayment, sharedLive, type LiveGateway } from '../helpers/live.js'
import { PAYLAB_ONLY } from '../helpers/build.js'

// One listening gateway for the file; each test is a merchant of its own on it (helpers/live.ts).
const gateway = sharedLive(PAYLAB_ONLY)

async function page (gw: LiveGateway, id: string): Promise<{ status: number, type: string, html: string }> {
  const out = await gw.send({ method: 'GET', path: `/cashier/${id}` })
  if (!out.ok) throw new Error(`GET /cashier/${id}: no answer`)
  return { status: out.status, type: String(out.headers['content-type']), html: out.text }
}

t.test('3-D Secure page: a code form; the sandbox code passes, submitted as a browser form', async (t) => {
  const gw = await gateway(t)
  const p = await gw.create(gw.cardPayment('4000002760003184', { amount: 1999 }))
  const shown = await page(gw, p.id)
  t.equal(shown.status, 200)
  t.match(shown.type, 'text/html')
  t.match(shown.html, '3-D Secure')
  t.match(shown.html, /<input id="code" name="code"/)
  t.match(shown.html, '123456', 'the page tells the tester the code')
  t.match(shown.html, '19.99 USD')
  t.match(shown.html, p.merchant_order_id)
  t.notMatch(shown.html, '4242', 'no card digits on the page')
  const done = await gw.cashier(p.id, { code: '123456' }, true)
  t.equal(done.status, 200)
  t.match(done.text, /This payment has been <strong>paid<\/strong>\./)
  t.notMatch(done.text, 'Return to', 'no return_url: no way back to offer')
  t.equal((await gw.payment(p.id)).status, 'succeeded')
})

t.test('wallet and bank transfer pages offer approve, decline and cancel', async (t) => {
  const gw = await gateway(t)
  const wallet = await gw.create(methodPayment('wallet', 5000))
  const transfer = await gw.create(methodPayment('bank_transfer', 5000))
  const w = await page(gw, wallet.id)
  t.match(w.html, 'Pay with Alipay')
  for (const action of ['pass', 'fail', 'cancel']) t.match(w.html, `name="action" value="${action}"`, `wallet: ${action}`)
  t.match((await page(gw, transfer.id)).html, 'I have made the transfer')
  await gw.cashier(wallet.id, { action: 'fail' }, true)
  t.match(await gw.payment(wallet.id), { status: 'failed', failure: { code: 'payment_declined' } })
  await gw.cashier(transfer.id, { action: 'pass' }, true)
  t.equal((await gw.payment(transfer.id)).status, 'succeeded')
  t.match((await page(gw, transfer.id)).html, 'This payment has been <strong>paid</strong>.', 'a finished payment shows its status in words')
  t.match((await page(gw, wallet.id)).html, 'This payment <strong>failed</strong>: nothing was taken.')
})

t.test('cancel, or a post without an action, leaves the payment waiting', async (t) => {
  const gw = await gateway(t)
  const card = await gw.create(gw.cardPayment('4000002760003184'))
  const wallet = await gw.create(methodPayment('wallet', 5000))
  await gw.cashier(card.id, { action: 'cancel', code: '123456' }, true)
  await gw.cashier(wallet.id, {})
  t.equal((await gw.payment(card.id)).status, 'requires_action', '3-D Secure cancel wins over a code')
  t.equal((await gw.payment(wallet.id)).status, 'requires_action')
  await gw.cashier(wallet.id, { action: 'pass' })
  t.equal((await gw.payment(wallet.id)).status, 'succeeded', 'and the buyer can still finish')
})

t.test('with a return_url the buyer is sent back (303) with the payment and order ids', async (t) => {
  const gw = await gateway(t)
  const p = await gw.create(methodPayment('wallet', 5000, { return_url: 'https://shop.example/back?step=done' }))
  const res = await gw.cashier(p.id, { action: 'pass' }, true)
  t.equal(res.status, 303)
  const back = new URL(String(res.headers.location))
  t.equal(`${back.origin}${back.pathname}`, 'https://shop.example/back')
  t.same(Object.fromEntries(back.searchParams), { step: 'done', payment_id: p.id, merchant_order_id: p.merchant_order_id })
  t.equal(res.body.length, 0)
})

t.test('refusals: unknown payment 404, a payment that waits for nothing 409, a bad action 400', async (t) => {
  const gw = await gateway(t)
  const missing = await gw.send({ method: 'GET', path: '/cashier/pay_doesnotexist0000000' })
  t.same(missing.ok && [missing.status, missing.json().error.code], [404, 'PAYLAB_PAYMENT_NOT_FOUND'])
  const paid = await gw.create(gw.cardPayment('4242424242424242'))
  const late = await gw.cashier(paid.id, { code: '123456' })
  t.same([late.status, late.json().error.code], [409, 'PAYLAB_INVALID_STATE_TRANSITION'])
  const waiting = await gw.create(methodPayment('wallet', 5000))
  const bad = await gw.cashier(waiting.id, { action: 'approve' })
  t.same([bad.status, bad.json().error.code], [400, 'PAYLAB_VALIDATION_FAILED'])
  t.equal((await gw.payment(waiting.id)).status, 'requires_action')
})

t.test('what the merchant chose to show is escaped', async (t) => {
  const gw = await gateway(t)
  const creds = await addMerchant(gw, { name: '<script>alert(1)</script> & Co' })
  const p = await gw.create(methodPayment('wallet', 5000), {}, creds)
  const html = (await page(gw, p.id)).html
  t.notMatch(html, '<script>')
  t.match(html, '&#60;script&#62;alert(1)&#60;/script&#62; &#38; Co')
})

t.test('a form posted again after the payment ended (Back, then Approve): a browser sees the payment as it stands and the way back; a script the JSON 409', async (t) => {
  const gw = await gateway(t)
  const browser = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }
  const p = await gw.create(methodPayment('wallet', 5000, { return_url: 'https://shop.example/back?step=done' }))
  t.equal((await gw.cashier(p.id, { action: 'pass' }, true)).status, 303)
  const posts = [
    { path: `/cashier/${p.id}`, body: 'action=pass' },
    { path: `/cashier/${p.id}`, body: 'action=cancel' },
    { path: `/cashier/${p.id}/method`, body: 'method=bank_transfer' },
    { path: `/cashier/${p.id}/card`, body: new URLSearchParams((gw.cardPayment('4242424242424242').method as { card: { encrypted: Record<string, string> } }).card.encrypted).toString() }
  ]
  const back = `https://shop.example/back?step=done&#38;payment_id=${p.id}&#38;merchant_order_id=${p.merchant_order_id}`
  for (const { path, body } of posts) {
    const again = await gw.send({ method: 'POST', path, body, headers: browser })
    if (!again.ok) throw new Error(`${path}: no answer`)
    t.equal(again.status, 409, `${path} ${body}`)
    t.match(String(again.headers['content-type']), 'text/html')
    t.match(again.text, 'This payment has been <strong>paid</strong>.')
    t.match(again.text, `<a class="button" href="${back}">Return to `)
    t.notMatch(again.text, 'Approve payment', 'nothing left to approve')
    const script = await gw.send({ method: 'POST', path, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    t.same(script.ok && [script.status, script.json().error.code], [409, 'PAYLAB_INVALID_STATE_TRANSITION'], `a script: ${path}`)
  }
  t.equal((await gw.payment(p.id)).status, 'succeeded', 'paid once, nothing changed')
  t.match((await page(gw, p.id)).html, `<a class="button" href="${back}">Return to `, 'the page itself offers the way back')
})
