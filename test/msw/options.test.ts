// createPaylabMsw's `channels` and `dashboard`: what the handlers answer for, through msw as a
// client's fetch reaches them, with everything by default.
import t, { type Test } from 'tap'
import { setupServer } from 'msw/node'
import { createPaylabMsw, type PaylabControl, type PaylabMswOptions } from '../../gateway/msw/create-paylab-msw.js'
import { PaylabClient } from '../../merchant/sdk/index.js'

async function handlers (t: Test, options: PaylabMswOptions): Promise<PaylabControl> {
  const { handlers, control } = await createPaylabMsw(options)
  const server = setupServer(...handlers)
  server.listen({ onUnhandledRequest: 'error' })
  t.teardown(async () => { server.close(); await control.close() })
  return control
}

const get = async (url: string): Promise<{ status: number, text: string, code: unknown }> => {
  const res = await fetch(url)
  const text = await res.text()
  const json = (text.startsWith('{') ? JSON.parse(text) : {}) as { code?: unknown, error?: { code?: unknown } }
  return { status: res.status, text, code: json.error?.code ?? json.code }
}

t.test('by default every channel and the dashboard answer', async (t) => {
  const control = await handlers(t, {})
  const wechat = await get(`${control.baseUrl}/v3/certificates`)
  t.equal(wechat.status, 401, 'WeChat Pay refuses an unsigned request')
  t.equal(wechat.code, 'SIGN_ERROR', 'in its own error format')
  const dashboard = await get(`${control.baseUrl}/dashboard`)
  t.equal(dashboard.status, 401, 'the dashboard asks for the admin token')
  t.match(dashboard.text, /^<!doctype html>/, 'as a page')
})

t.test("channels: ['paylab'] and dashboard: false answer paylab's API only, after a reset too", async (t) => {
  const control = await handlers(t, { channels: ['paylab'], dashboard: false })
  const demo = control.merchant()
  const client = new PaylabClient({ baseUrl: control.baseUrl, merchantId: demo.id, secret: demo.secret })
  const pay = async (order: string) => await client.createPayment({ merchant_order_id: order, amount: 1999, currency: 'USD', method: { type: 'wallet' } })
  for (const [n, when] of ['at first', 'after control.reset()'].entries()) {
    if (n > 0) await control.reset()
    t.equal((await pay(`options-${n}`)).merchant_order_id, `options-${n}`, `paylab's API answers ${when}`)
    for (const path of ['/v3/certificates', '/dashboard']) {
      const res = await get(`${control.baseUrl}${path}`)
      t.equal(res.status, 404, `${path} ${when}`)
      t.equal(res.code, 'PAYLAB_ROUTE_NOT_FOUND', `${path} ${when}`)
    }
  }
})

t.test('an unknown channel name is refused, naming the channels', async (t) => {
  await t.rejects(createPaylabMsw({ channels: ['paypal' as 'paylab'] }), { name: 'TypeError', message: /no channel named paypal; the channels are paylab, wechatpay, stripe, alipay$/ })
})

t.test('channels without paylab, or options of the wrong type (plain JavaScript), are refused', async (t) => {
  await t.rejects(createPaylabMsw({ channels: [] }), { name: 'TypeError', message: /must include paylab/ })
  await t.rejects(createPaylabMsw({ channels: ['wechatpay'] }), { name: 'TypeError', message: /must include paylab/ })
  await t.rejects(createPaylabMsw({ channels: 'paylab' as unknown as ['paylab'] }), { name: 'TypeError', message: /channels must be an array/ })
  await t.rejects(createPaylabMsw({ dashboard: 'no' as unknown as boolean }), { name: 'TypeError', message: /dashboard must be true or false/ })
})
