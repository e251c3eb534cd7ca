// Which notify_url the gateway takes: an absolute http(s) URL of at most 2048 characters, without
// credentials, on a host the operator allowed (loopback unless config.notifyHosts / --notify-hosts
// says more). Nothing here is ever sent beyond the loopback range.
import t from 'tap'
import { build, PAYLAB_ONLY } from '../helpers/build.js'
import { startGateway } from '../helpers/cli.js'
import { notifyBench } from '../helpers/notifications.js'
import { receiver } from '../helpers/receiver.js'

const LOOPBACK = ['http://localhost:4000/notify', 'https://127.0.0.1/notify', 'http://[::1]:8080/notify', 'http://shop.localhost/n', 'http://LOCALHOST/upper']
const ELSEWHERE = ['http://example.com/notify', 'https://127.0.0.2/notify', 'http://169.254.169.254/latest', 'http://10.0.0.1/', 'http://localhost.example.com/', 'http://127.0.0.1.nip.io/']

t.test('by default only loopback hosts are allowed, for merchants and for payments', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  for (const url of LOOPBACK) {
    const res = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { notify_url: url } })
    t.equal(res.statusCode, 201, `${url}: allowed`)
  }
  for (const url of [...ELSEWHERE, 'ftp://localhost/notify', 'not a url', 'http://user:pw@127.0.0.1/notify']) {
    const res = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { notify_url: url } })
    t.equal(res.statusCode, 400, `${url}: refused`)
    t.equal(res.json().error.code, 'PAYLAB_NOTIFY_URL_NOT_ALLOWED')
    t.equal(res.json().error.field, 'notify_url')
    const body = gw.cardPayment('4242424242424242', { notify_url: url })
    const paid = await gw.signed({ method: 'POST', path: '/v1/payments', body })
    t.equal(paid.json().error?.code, 'PAYLAB_NOTIFY_URL_NOT_ALLOWED', `${url}: refused on a payment`)
    const found = await gw.signed({ method: 'GET', path: `/v1/payments/order/${String(body.merchant_order_id)}` })
    t.equal(found.statusCode, 404, 'and no payment was made')
  }
})

t.test('a host not allowed names the switch that allows it', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const res = await gw.admin({ method: 'PATCH', url: '/admin/merchants/demo', payload: { notify_url: 'https://shop.example/notify' } })
  t.equal(res.statusCode, 400)
  t.match(res.json().error.message, /shop\.example is not allowed.*--notify-hosts/)
  t.equal(gw.engine.merchant('demo').notify_url, null, 'nothing changed')
})

t.test('notify_url may be 2048 characters long, not one more', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const base = 'http://127.0.0.1:9/'
  const longest = base + 'n'.repeat(2048 - base.length)
  const ok = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { notify_url: longest } })
  t.equal(ok.statusCode, 201)
  const paid = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { notify_url: longest }) })
  t.equal(paid.statusCode, 201)
  for (const send of [
    () => gw.admin({ method: 'POST', url: '/admin/merchants', payload: { notify_url: `${longest}n` } }),
    () => gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { notify_url: `${longest}n` }) })
  ]) {
    const res = await send()
    t.equal(res.statusCode, 400)
    t.equal(res.json().error.field, 'notify_url')
  }
})

t.test('config.notifyHosts allows more hosts by glob; the events go there', async (t) => {
  const gw = await build(t, { ...PAYLAB_ONLY, config: { notifyHosts: ['127.0.0.2', '*.shop.test'] } })
  for (const [url, status] of [['http://127.0.0.2:9/n', 201], ['https://pay.shop.test/n', 201], ['https://shop.test/n', 400], ['http://127.0.0.1/n', 400]] as const) {
    const res = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { notify_url: url } })
    t.equal(res.statusCode, status, `${url}: ${status}`)
  }
  const any = await build(t, { ...PAYLAB_ONLY, config: { notifyHosts: ['*'] } })
  const res = await any.admin({ method: 'POST', url: '/admin/merchants', payload: { notify_url: 'https://anywhere.example/n' } })
  t.equal(res.statusCode, 201, '* allows any host')

  const b = await notifyBench(t, {}, { config: { notifyHosts: ['127.0.0.1', '127.0.0.2'] } })
  const elsewhere = await receiver(t, { host: '127.0.0.2', now: b.now })
  await b.pay({ notify_url: elsewhere.url })
  const [req] = await elsewhere.waitFor(1)
  t.equal(req?.json().type, 'payment.succeeded', 'delivered to the allowed host')
})

t.test('paylab gateway --notify-hosts sets the allowed hosts', async (t) => {
  const gw = await startGateway(t, ['--memory', '--port', '0', '--notify-hosts', '127.0.0.2, *.shop.test'])
  const patch = async (notifyUrl: string): Promise<number> => (await fetch(`${gw.url}/admin/merchants/demo`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${gw.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ notify_url: notifyUrl })
  })).status
  t.equal(await patch('http://127.0.0.2:9/n'), 200)
  t.equal(await patch('https://pay.shop.test/n'), 200)
  t.equal(await patch('http://example.com/n'), 400)
  t.equal(await patch('http://localhost/n'), 400, 'the list replaces the loopback default')
  t.equal((await gw.stop('SIGTERM')).code, 0)
})
