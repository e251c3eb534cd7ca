// The dashboard over HTTP (inject, one gateway): every page and data endpoint needs a login or
// the admin token, the session cookie and its CSRF token, what request data turns into on the
// pages (text, never markup), and the pages' actions (rule form, clock, journal's signature
// debugger, merchants, statement). The browser test (test/browser/dashboard.ts) drives the rest.
import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { build } from '../helpers/build.js'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { Sessions } from '../../gateway/dashboard/session.js'

const gw = await build(t, { clock: new VirtualClock() })
const { app, engine } = gw
const bearer = { authorization: `Bearer ${engine.adminToken}` }
const form = (fields: Record<string, string>): { headers: Record<string, string>, payload: string } =>
  ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() })

async function login (): Promise<{ cookie: string, csrf: string }> {
  const res = await app.inject({ method: 'POST', url: '/dashboard/login', ...form({ token: engine.adminToken, next: '/dashboard/rules' }) })
  const cookie = String(res.headers['set-cookie']).split(';')[0] as string
  const page = await app.inject({ url: '/dashboard/payments', headers: { cookie } })
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.body)?.[1] ?? ''
  return { cookie, csrf }
}

t.test('without the admin token every dashboard route answers 401: pages with the login form, data with the error code', async (t) => {
  const routes = app.dashboardRoutes
  const urls = new Set(routes.map((r) => r.url))
  for (const page of ['/dashboard/payments', '/dashboard/payments/:id', '/dashboard/journal/:seq', '/dashboard/rules', '/dashboard/clock', '/dashboard/merchants', '/dashboard/payments/rows', '/dashboard/merchants/:id/statement.csv']) {
    t.ok(urls.has(page), `${page} is one of them`)
  }
  const fake = (url: string | undefined): string => (url ?? '').replace(/:[a-z]+/g, '1')
  const asks = [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${engine.adminToken}` }, { cookie: 'paylab_dashboard=forged' }]
  for (const { method, url } of routes) {
    for (const headers of asks) {
      const res = await app.inject({ method: method as 'GET', url: fake(url), headers })
      t.equal(res.statusCode, 401, `${String(method)} ${url} with ${JSON.stringify(headers)}`)
      if (method === 'HEAD') continue
      if (/html/.test(String(res.headers['content-type']))) t.match(res.body, 'action="/dashboard/login"', `${url}: the login form`)
      else t.equal(res.json().error.code, 'PAYLAB_ADMIN_UNAUTHORIZED', `${url}: the code`)
    }
  }
  // The same routes do answer with the token: the 401s above are the gate's.
  for (const { method, url } of routes.filter((r) => r.method === 'GET' && !(r.url ?? '').includes(':'))) {
    const res = await app.inject({ method: 'GET', url: url ?? '', headers: bearer })
    t.ok(res.statusCode === 200 || res.statusCode === 303, `${String(method)} ${url} with the token: ${res.statusCode}`)
  }
})

t.test('login: the admin token becomes an HttpOnly SameSite=Strict session cookie; changes need the CSRF token; logout ends it', async (t) => {
  const wrong = await app.inject({ method: 'POST', url: '/dashboard/login', ...form({ token: 'nope' }) })
  t.equal(wrong.statusCode, 401)
  t.match(wrong.body, 'That is not the admin token.')
  t.equal(wrong.headers['set-cookie'], undefined)
  const ok = await app.inject({ method: 'POST', url: '/dashboard/login', ...form({ token: engine.adminToken, next: 'https://evil.example/' }) })
  t.equal(ok.statusCode, 303)
  t.equal(ok.headers.location, '/dashboard/payments', 'never sent off-site')
  t.match(String(ok.headers['set-cookie']), /^paylab_dashboard=[\w-]{40,}; Path=\/dashboard; HttpOnly; SameSite=Strict$/)
  t.notOk(String(ok.headers.location).includes(engine.adminToken), 'the token is not in a URL')
  for (const next of ['/dashboard/a\r\nSet-Cookie: x=1', '/dashboard/\u00e9t\u00e9', '/dashboard/\t/evil.example', '/dashboardx', '/dashboard\\evil']) {
    const odd = await app.inject({ method: 'POST', url: '/dashboard/login', ...form({ token: engine.adminToken, next }) })
    t.equal(odd.statusCode, 303, `next ${JSON.stringify(next)}: no 500`)
    t.equal(odd.headers.location, '/dashboard/payments')
  }
  t.equal((await app.inject({ method: 'POST', url: '/dashboard/login', ...form({ token: engine.adminToken, next: '/dashboard/rules?merchant_id=demo' }) })).headers.location, '/dashboard/rules?merchant_id=demo')

  const { cookie, csrf } = await login()
  t.ok(csrf.length > 20, 'the page carries a CSRF token')
  const page = await app.inject({ url: '/dashboard/rules', headers: { cookie } })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-security-policy'], "script-src 'self'")
  t.equal(page.headers['cache-control'], 'no-store')
  t.match(page.body, /<p id="status" class="visually-hidden" role="status" aria-live="polite"><\/p>\n<main /, 'one polite live region, outside the <main> an action swaps')
  const reset = { merchant_id: 'demo' }
  const refused = await app.inject({ method: 'POST', url: '/dashboard/rules/reset', headers: { cookie, ...form(reset).headers }, payload: form(reset).payload })
  t.equal(refused.statusCode, 403)
  t.match(refused.body, 'PAYLAB_DASHBOARD_CSRF_INVALID')
  const other = await login()
  const crossed = await app.inject({ method: 'POST', url: '/dashboard/rules/reset', headers: { cookie, ...form(reset).headers }, payload: form({ ...reset, _csrf: other.csrf }).payload })
  t.equal(crossed.statusCode, 403, "another session's token does not do")
  const done = await app.inject({ method: 'POST', url: '/dashboard/rules/reset', headers: { cookie, 'x-csrf-token': csrf, ...form(reset).headers }, payload: form(reset).payload })
  t.equal(done.statusCode, 303)
  const forged = await app.inject({ method: 'POST', url: '/dashboard/logout', headers: { cookie } })
  t.equal(forged.statusCode, 403, 'logging out needs the CSRF token too')
  t.equal((await app.inject({ url: '/dashboard/rules', headers: { cookie } })).statusCode, 200, 'and a refused logout ends nothing')
  const out = await app.inject({ method: 'POST', url: '/dashboard/logout', headers: { cookie, ...form({ _csrf: csrf }).headers }, payload: form({ _csrf: csrf }).payload })
  t.equal(out.statusCode, 303)
  t.match(String(out.headers['set-cookie']), 'Max-Age=0')
  t.equal((await app.inject({ url: '/dashboard/rules', headers: { cookie } })).statusCode, 401, 'the session is gone')
  t.equal((await app.inject({ url: '/dashboard/rules', headers: { cookie: other.cookie } })).statusCode, 200, 'other sessions stay')
  // Session fixation: logging in with a cookie already set makes a new id and ends the old one.
  const again = await app.inject({ method: 'POST', url: '/dashboard/login', headers: { cookie: other.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ token: engine.adminToken }).payload })
  const fresh = String(again.headers['set-cookie']).split(';')[0] as string
  t.not(fresh, other.cookie, 'a new session id')
  t.equal((await app.inject({ url: '/dashboard/rules', headers: { cookie: other.cookie } })).statusCode, 401, 'the one planted before is worth nothing')
  t.equal((await app.inject({ url: '/dashboard/rules', headers: { cookie: fresh } })).statusCode, 200)
})

t.test('every change the dashboard makes needs the CSRF token with the cookie: resend, clock, rules, merchants', async (t) => {
  const { cookie } = await login()
  const changes = app.dashboardRoutes.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')
  t.ok(changes.length >= 7, `${changes.length} routes that change something`)
  const asked = form({ merchant_id: 'demo', by: '1h', effect: 'outcome:succeed', id: 'csrf-shop', channels: '{}' })
  for (const { method, url } of changes) {
    const res = await app.inject({ method: method as 'POST', url: (url ?? '').replace(':id', 'demo'), headers: { cookie, ...asked.headers }, payload: asked.payload })
    t.equal(res.statusCode, 403, `${String(method)} ${url}`)
    t.match(res.body, 'PAYLAB_DASHBOARD_CSRF_INVALID')
  }
  t.same(engine.rules('demo').filter((r) => r.outcome === 'succeed'), [], 'nothing was done')
  t.throws(() => engine.merchant('csrf-shop'))
})

t.test('sessions end after 8 idle hours or 24 hours in all, and no more than 1000 are kept', async (t) => {
  let now = 0
  const sessions = new Sessions(() => now)
  const idle = sessions.open()
  const busy = sessions.open()
  for (now = 0; now < 23 * 3600_000; now += 3600_000) t.ok(sessions.find(busy.id), `busy at ${now / 3600_000} h`)
  t.equal(sessions.find(idle.id), undefined, 'idle for more than 8 hours: gone')
  now = 24 * 3600_000 + 1
  t.equal(sessions.find(busy.id), undefined, 'in use all the time, yet gone after 24 hours')
  const first = sessions.open()
  for (let i = 0; i < 1000; i++) sessions.open()
  t.equal(sessions.find(first.id), undefined, 'the oldest goes past 1000')
  t.equal(sessions.find(undefined), undefined)
})

const PAYLOAD = '<script>alert(1)</script>"onmouseover="alert(2)\'`'
const leaks = (res: LightMyRequestResponse): boolean => res.body.includes('<script>alert') || res.body.includes('"onmouseover=')

t.test('request data is text on every page: metadata, description and merchant name with markup in them', async (t) => {
  const m = await engine.createMerchant({ id: 'xss-shop', name: PAYLOAD })
  const created = await gw.signed({
    method: 'POST',
    path: '/v1/payments',
    body: gw.cardPayment('4242424242424242', { description: PAYLOAD, metadata: { [PAYLOAD.slice(0, 40)]: PAYLOAD, note: PAYLOAD } })
  }, { merchant: m.id, secret: m.hmac_secret })
  t.equal(created.statusCode, 201, created.body)
  const id = created.json().id as string
  const pages = ['/dashboard/payments', `/dashboard/payments/${id}`, '/dashboard/payments/rows', '/dashboard/merchants', '/dashboard/journal', '/dashboard/rules']
  for (const url of pages) {
    const res = await app.inject({ url, headers: bearer })
    t.equal(res.statusCode, 200, url)
    t.notOk(leaks(res), `${url}: no markup from the request`)
  }
  const payment = (await app.inject({ url: `/dashboard/payments/${id}`, headers: bearer })).body
  const escaped = '&#60;script&#62;alert(1)&#60;/script&#62;&#34;onmouseover&#61;&#34;alert(2)&#39;&#96;'
  t.match(payment, `<dd id="description">${escaped}</dd>`, 'the description, as text')
  t.match(payment, `<dd>${escaped}</dd>`, 'metadata values, as text')
  t.match((await app.inject({ url: '/dashboard/merchants', headers: bearer })).body, `<td class="merchant-name">${escaped}</td>`, 'the merchant name, as text')
  const refused = await app.inject({ url: `/dashboard/payments/${encodeURIComponent('<script>x</script>')}`, headers: bearer })
  t.equal(refused.statusCode, 404)
  t.notOk(refused.body.includes('<script>x'), 'an unknown id in the error page is text too')
})

t.test('the rule form refuses what POST /admin/rules refuses, with the same message, and adds what it accepts', async (t) => {
  const bad: Array<{ body: Record<string, unknown>, fields: Record<string, string> }> = [
    { body: { merchant_id: 'demo', fault: 'nope' }, fields: { merchant_id: 'demo', effect: 'fault:nope' } },
    { body: { merchant_id: 'demo', fault: 'delay;999999999' }, fields: { merchant_id: 'demo', effect: 'fault:delay', param: '999999999' } },
    { body: { merchant_id: 'demo', fault: 'response_lost', times: 0 }, fields: { merchant_id: 'demo', effect: 'fault:response_lost', times: '0' } },
    { body: { merchant_id: 'demo', fault: 'response_lost', probability: 'often' }, fields: { merchant_id: 'demo', effect: 'fault:response_lost', probability: 'often' } },
    { body: { merchant_id: 'ghost', outcome: 'succeed' }, fields: { merchant_id: 'ghost', effect: 'outcome:succeed' } }
  ]
  for (const { body, fields } of bad) {
    const api = await gw.admin({ method: 'POST', url: '/admin/rules', payload: body })
    t.equal(api.statusCode, 400, JSON.stringify(body))
    const page = await app.inject({ method: 'POST', url: '/dashboard/rules', headers: { ...bearer, ...form(fields).headers }, payload: form(fields).payload })
    t.equal(page.statusCode, 400)
    const { code, message } = api.json().error as { code: string, message: string }
    t.match(page.body, `<p class="alert" role="alert" id="form-error">${code}: ${message.replace(/"/g, '&#34;').replace(/</g, '&#60;').replace(/>/g, '&#62;').replace(/'/g, '&#39;').replace(/=/g, '&#61;')}</p>`, `same refusal: ${message}`)
  }
  const fields = { merchant_id: 'demo', effect: 'fault:delay', param: '1500', method: 'POST', path: '/v1/payments', times: '2' }
  const added = await app.inject({ method: 'POST', url: '/dashboard/rules', headers: { ...bearer, ...form(fields).headers }, payload: form(fields).payload })
  t.equal(added.statusCode, 303)
  t.match(engine.rules('demo'), [{ fault: 'delay;1500', match: { method: 'POST', path: '/v1/payments' }, times: 2, hits: 0 }])
  const listed = await app.inject({ url: '/dashboard/rules?merchant_id=demo', headers: bearer })
  t.match(listed.body, 'fault delay;1500')
  t.match(listed.body, 'Processes and commits, holds N ms, then destroys the socket without a byte', 'the catalogue describes response_lost as docs/failures.md does')
  const rule = engine.rules('demo')[0]?.id ?? ''
  t.equal((await app.inject({ method: 'POST', url: `/dashboard/rules/${rule}/delete`, headers: bearer })).statusCode, 303)
  t.same(engine.rules('demo'), [])
})

t.test('the signature debugger: the string to sign with visible newlines, and the rule each refusal broke', async (t) => {
  const body = { merchant_order_id: 'sig-1', amount: 100, currency: 'USD', method: { type: 'bank_transfer' } }
  await gw.signed({ method: 'POST', path: '/v1/payments?x=1', body }, { merchant: 'demo', secret: 'not-the-secret' })
  await gw.signed({ method: 'GET', path: '/v1/payments/pay_x', timestamp: 1000 })
  await gw.signed({ method: 'GET', path: '/v1/payments/pay_x', nonce: 'replayed-nonce-0001' })
  await gw.signed({ method: 'GET', path: '/v1/payments/pay_x', nonce: 'replayed-nonce-0001' })
  const entries = (await engine.journal({ merchant_id: 'demo', path: '/v1/payments*' })).slice(-4)
  const show = async (i: number): Promise<string> => (await app.inject({ url: `/dashboard/journal/${entries[i]?.seq ?? 0}`, headers: bearer })).body
  const wrongKey = await show(0)
  t.match(wrongKey, 'Wrong key, or a different string')
  t.match(wrongKey, /<pre id="computed-string">POST<span class="nl" aria-label="newline">\\n<\/span>\n\/v1\/payments\?x&#61;1<span class="nl"/)
  t.match(wrongKey, '<code>/v1/payments?x&#61;1</code>', 'the path with its query, as its own part')
  t.match(wrongKey, '<td>The raw body bytes (empty for a GET)</td><td><code>{&#34;merchant_order_id&#34;:&#34;sig-1&#34;')
  t.match(await show(1), 'Timestamp out of window')
  t.match(await show(1), 'None: the request was refused before the gateway computed one')
  t.match(await show(1), '<pre id="expected-string">GET<span class="nl" aria-label="newline">\\n</span>\n/v1/payments/pay_x<span class="nl" aria-label="newline">\\n</span>\n&#60;Paylab-Timestamp&#62;')
  t.notMatch(await show(2), 'signature-debugger', 'a valid signature needs no debugger')
  t.match(await show(3), 'Nonce replayed')
  t.equal((await app.inject({ url: '/dashboard/journal/99999999', headers: bearer })).statusCode, 404)
})

t.test('the clock moves by 15m, 1h, 1d or a custom duration and lists what fired', async (t) => {
  const created = await gw.signed({ method: 'POST', path: '/v1/payments', body: { merchant_order_id: 'clock-1', amount: 100, currency: 'USD', method: { type: 'bank_transfer' } } })
  const id = created.json().id as string
  const res = await app.inject({ method: 'POST', url: '/dashboard/clock/advance', headers: { ...bearer, ...form({ by: '1h' }).headers }, payload: form({ by: '1h' }).payload })
  t.equal(res.statusCode, 200)
  t.match(res.body, /Advanced by 1h: \d+ tasks? fired/)
  t.match(res.body, `payment expiry <a href="/dashboard/payments/${id}">`)
  t.equal(engine.findPayment(id)?.status, 'canceled')
  // Enter in the custom field submits its form with its first submit button: that must be the custom one.
  const clockPage = (await app.inject({ url: '/dashboard/clock', headers: bearer })).body
  const customForm = /<form[^>]*>(?:(?!<\/form>)[\s\S])*id="custom"[\s\S]*?<\/form>/.exec(clockPage)?.[0] ?? ''
  t.match(customForm, '<input type="hidden" name="by" value="custom">')
  t.equal([...customForm.matchAll(/<button type="submit"[^>]*>([^<]*)</g)].map((b) => b[1]).join(), 'Advance by custom', 'no step button before it in its form')
  const custom = await app.inject({ method: 'POST', url: '/dashboard/clock/advance', headers: { ...bearer, ...form({ by: 'custom', custom: '90s' }).headers }, payload: form({ by: 'custom', custom: '90s' }).payload })
  t.match(custom.body, 'Advanced by 90s')
  const bad = await app.inject({ method: 'POST', url: '/dashboard/clock/advance', headers: { ...bearer, ...form({ by: 'custom', custom: 'soon' }).headers }, payload: form({ by: 'custom', custom: 'soon' }).payload })
  t.equal(bad.statusCode, 400)
  t.match(bad.body, 'custom must look like 1500ms')
  // A duration past what a Date holds was a 500, and left the clock broken for every later page.
  const before = engine.clock.now()
  const huge = form({ by: 'custom', custom: '99999999999999999999d' })
  const far = await app.inject({ method: 'POST', url: '/dashboard/clock/advance', headers: { ...bearer, ...huge.headers }, payload: huge.payload })
  t.equal(far.statusCode, 400)
  t.match(far.body, 'PAYLAB_VALIDATION_FAILED: ms must be a whole number from 0 to 3153600000000')
  t.equal(engine.clock.now(), before, 'the clock did not move')
  const api = await gw.admin({ method: 'POST', url: '/admin/clock/advance', payload: { duration: '99999999999999999999d' } })
  t.equal(api.statusCode, 400, 'the admin API refuses it too')
  t.equal((await app.inject({ url: '/dashboard/clock', headers: bearer })).statusCode, 200)
})

t.test('merchants: created and rotated secrets are shown once; the statement downloads as CSV', async (t) => {
  const created = await app.inject({ method: 'POST', url: '/dashboard/merchants', headers: { ...bearer, ...form({ id: 'dash-shop', name: 'Dash Shop' }).headers }, payload: form({ id: 'dash-shop', name: 'Dash Shop' }).payload })
  t.equal(created.statusCode, 200)
  const secret = engine.merchant('dash-shop').hmac_secret
  t.match(created.body, `<code class="secret" id="shown-secret">${secret}</code>`)
  t.notOk((await app.inject({ url: '/dashboard/merchants', headers: bearer })).body.includes(secret), 'never again on the list')
  const again = await app.inject({ method: 'POST', url: '/dashboard/merchants', headers: { ...bearer, ...form({ id: 'dash-shop' }).headers }, payload: form({ id: 'dash-shop' }).payload })
  t.equal(again.statusCode, 409)
  t.match(again.body, 'PAYLAB_MERCHANT_EXISTS')
  const rotated = await app.inject({ method: 'POST', url: '/dashboard/merchants/dash-shop/rotate-secret', headers: bearer })
  const next = engine.merchant('dash-shop').hmac_secret
  t.not(next, secret)
  t.match(rotated.body, next)
  const stripe = form({ channels: '{"stripe": {}}' })
  const saved = await app.inject({ method: 'POST', url: '/dashboard/merchants/dash-shop/channels', headers: { ...bearer, ...stripe.headers }, payload: stripe.payload })
  t.equal(saved.statusCode, 200)
  t.match(saved.body, /<pre id="shown-channels">\{\n {2}&#34;stripe&#34;: \{/, 'the generated credentials, shown once')
  t.ok(engine.channelCredentials('dash-shop', 'stripe') !== undefined, 'stored through the engine')
  t.match((await app.inject({ url: '/dashboard/merchants', headers: bearer })).body, '<summary>stripe</summary>')
  const notJson = form({ channels: '{stripe' })
  const refusedChannels = await app.inject({ method: 'POST', url: '/dashboard/merchants/dash-shop/channels', headers: { ...bearer, ...notJson.headers }, payload: notJson.payload })
  t.equal(refusedChannels.statusCode, 400)
  t.match(refusedChannels.body, 'channel credentials must be a JSON object')
  // The day clock-1 was made: the clock test moved the clock on, maybe into the next day (UTC).
  const day = engine.getPaymentByOrder('demo', 'clock-1').created_at.slice(0, 10)
  const csv = await app.inject({ url: `/dashboard/merchants/demo/statement.csv?date=${day}`, headers: bearer })
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], 'text/csv')
  t.match(csv.headers['content-disposition'], `attachment; filename="statement-demo-${day}.csv"`)
  t.equal(csv.body, engine.statement('demo', day))
  t.match(csv.body, 'clock-1')
})

t.test("a channel profile's requests about a payment are on its timeline: Stripe's create, read, refund and refund read", async (t) => {
  const m = await engine.createMerchant({ id: 'dash-stripe', name: 'Stripe shop', channels: { stripe: {} } }) as unknown as { channels: { stripe: { secret_key: string } } }
  const auth = { authorization: `Bearer ${m.channels.stripe.secret_key}` }
  const formHeaders = { ...auth, 'content-type': 'application/x-www-form-urlencoded' }
  const pi = await app.inject({ method: 'POST', url: '/v1/payment_intents', headers: formHeaders, payload: 'amount=2000&currency=usd&payment_method=pm_card_visa&confirm=true' })
  t.equal(pi.statusCode, 200, pi.body)
  const intent = pi.json().id as string
  t.equal((await app.inject({ url: `/v1/payment_intents/${intent}`, headers: auth })).statusCode, 200)
  const refund = await app.inject({ method: 'POST', url: '/v1/refunds', headers: formHeaders, payload: `payment_intent=${intent}&amount=500` })
  t.equal(refund.statusCode, 200, refund.body)
  t.equal((await app.inject({ url: `/v1/refunds/${refund.json().id as string}`, headers: auth })).statusCode, 200)
  const [payment] = engine.findPayments({ merchant_id: 'dash-stripe' })
  if (payment === undefined) throw new Error('no payment for the intent')
  const page = await app.inject({ url: `/dashboard/payments/${payment.id}`, headers: bearer })
  const requests = [...page.body.matchAll(/<li data-kind="request"[^>]*><p><strong>([^<]+)<\/strong>/g)].map((x) => x[1])
  t.same(requests, ['POST /v1/payment_intents', `GET /v1/payment_intents/${intent}`, 'POST /v1/refunds', `GET /v1/refunds/${refund.json().id as string}`])
})

t.test('the stylesheet: every rule that sets both a text colour and a background has a contrast of at least 4.5:1 (WCAG AA)', async (t) => {
  const css = (await app.inject({ url: '/dashboard/assets/dashboard.css' })).body
  const vars = new Map([...css.matchAll(/--([\w-]+):(#[0-9a-f]{3,6})/g)].map((m) => [m[1] as string, m[2] as string]))
  const hex = (v: string | undefined): string | undefined => v === undefined ? undefined : v.startsWith('var(') ? vars.get(v.slice(6, -1)) : /^#[0-9a-f]{6}$/i.test(v) ? v : v === '#fff' ? '#ffffff' : undefined
  const lum = (h: string): number => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255).map((c) => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4) as [number, number, number]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
  }
  const ratio = (a: string, b: string): number => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p) as [number, number]; return (x + 0.05) / (y + 0.05) }
  let checked = 0
  for (const [, selector, body] of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const color = hex(/(?:^|;)color:([^;]+)/.exec(body ?? '')?.[1])
    const background = hex(/(?:^|;)background:([^;]+)/.exec(body ?? '')?.[1])
    if (color === undefined || background === undefined) continue
    checked++
    t.ok(ratio(color, background) >= 4.5, `${selector}: ${color} on ${background} is ${ratio(color, background).toFixed(2)}:1`)
  }
  t.ok(checked >= 8, `${checked} rules checked`)
  // Text colours used on the page's own backgrounds (the panel, the page, table headers).
  for (const text of ['ink', 'muted', 'brand', 'bad', 'good', 'warn']) {
    for (const bg of [vars.get('panel') === '#fff' ? '#ffffff' : vars.get('panel') ?? '', vars.get('bg') ?? '', '#e8ecf2']) t.ok(ratio(vars.get(text) ?? '', bg) >= 4.5, `--${text} on ${bg}`)
  }
})
