// The channel-neutral seam, through a small profile written here as a channel engineer would:
// Stripe-like credentials (`Authorization: Bearer sk_test_…` or Basic) share paylab's `/v1/…`
// paths and the `channel` route constraint tells the two apart; the profile's merchant
// credentials hook, notification codec (acknowledged by the body `success`, its own retry
// schedule) and the sandbox (outcomes, faults, journal) work through engine methods only.
import t from 'tap'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { VirtualClock } from '../../gateway/engine/clock.js'
import type { DeliveryRequest, NotificationTransport } from '../../gateway/engine/outbox.js'
import type { Merchant } from '../../gateway/engine/types.js'
import { paylabProfile } from '../../gateway/channels/paylab/index.js'
import type { ChannelProfile } from '../../gateway/channels/profile.js'
import { sandboxed } from '../../gateway/plugins/faults.js'
import { journaled } from '../../gateway/plugins/journal.js'
import { build, orderId } from '../helpers/build.js'

const NAME = 'fakestripe'
interface Stored { secret_key: string }

const keyOf = (request: FastifyRequest): string | undefined => {
  const auth = request.headers.authorization ?? ''
  if (auth.startsWith('Bearer ')) return auth.slice(7)
  if (auth.startsWith('Basic ')) return Buffer.from(auth.slice(6), 'base64').toString().split(':')[0]
  return undefined
}

async function fakePlugin (app: FastifyInstance): Promise<void> {
  const { engine } = app
  const merchantOf = (request: FastifyRequest): Merchant | undefined => {
    const key = keyOf(request)
    return key === undefined ? undefined : engine.merchantByChannel(NAME, (s) => (s as Stored).secret_key === key)
  }
  await app.register(journaled, { channel: NAME, describe: (request) => ({ merchant_id: merchantOf(request)?.id ?? null }) })
  app.addHook('preValidation', (request, reply, done) => {
    if (merchantOf(request) === undefined) { void reply.code(401).send({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } }); return }
    done()
  })
  await app.register(sandboxed, {
    target: (request) => {
      const m = merchantOf(request)
      const body = (request.body ?? {}) as { amount?: number, order?: string }
      return m === undefined ? undefined : { merchantId: m.id, merchantOrderId: body.order, amount: body.amount }
    },
    resign: (_request, reply, _body, fault) => { reply.header('x-fake-signature', fault === undefined ? 'good' : 'bad') }
  })
  const constraints = { channel: NAME }
  app.get<{ Params: { id: string } }>('/v1/refunds/:id', { constraints, config: { contract: false } }, async (request) => ({ object: 'refund', id: request.params.id, served_by: NAME }))
  app.post<{ Body: { amount: number, order: string } }>('/v1/payments', { constraints, config: { contract: false, create: true } }, async (request) => {
    const m = merchantOf(request) as Merchant
    const { payment } = await engine.openPayment(m.id, {
      merchant_order_id: request.body.order, amount: request.body.amount, currency: 'USD', method: { type: 'wallet', wallet: { provider: NAME } }
    }, { channel: NAME, channelData: { flavour: 'test' }, outcome: request.decision?.outcome })
    return { object: 'charge', id: payment.id, status: payment.status, failure: payment.failure?.code ?? null }
  })
}

const fake: ChannelProfile = {
  name: NAME,
  plugin: fakePlugin,
  recognize: (headers) => /^(Bearer sk_test_|Basic )/.test(headers.authorization ?? ''),
  engineParts: () => ({
    codec: {
      encode: ({ event, object, url, attempt }) => ({ url, headers: { 'x-fake-attempt': String(attempt) }, body: `${event.type}:${object.id}` }),
      acknowledged: (_status, body) => body === 'success',
      retrySchedule: [10, 20]
    },
    credentials: {
      accept: ({ input, current, others }) => {
        const given = (input as { secret_key?: string }).secret_key
        const secret = given ?? (current as Stored | undefined)?.secret_key ?? `sk_test_${Math.random().toString(36).slice(2)}`
        if (others.some((o) => (o.stored as Stored).secret_key === secret)) throw new Error('taken')
        return { stored: { secret_key: secret }, shown: { secret_key: secret, generated: given === undefined } }
      },
      view: (stored) => ({ secret_key: `${(stored as Stored).secret_key.slice(0, 10)}…` })
    }
  })
}

const sent: Array<DeliveryRequest & { at: number }> = []
let answers: string[] = []
const clock = new VirtualClock(Date.parse('2026-03-01T00:00:00Z'))
const transport: NotificationTransport = {
  async deliver (request) { sent.push({ ...request, at: clock.now() }); return { status: 200, error: null, body: answers.shift() ?? 'success' } }
}

t.test('the channel seam', async (t) => {
  const gw = await build(t, { channels: [paylabProfile, fake], clock, transport })
  const created = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'shop-f', notify_url: 'http://127.0.0.1:9/n', channels: { [NAME]: {} } } })
  t.equal(created.statusCode, 201, created.body)
  const shown = created.json().channels[NAME]
  t.match(shown, { secret_key: /^sk_test_/, generated: true }, 'the create answer shows the generated credentials')
  const key: string = shown.secret_key
  const bearer = { authorization: `Bearer ${key}` }

  t.test('credentials: the profile\'s view on GET, unknown channels refused, PATCH through the hook', async (t) => {
    const got = await gw.admin({ method: 'GET', url: '/admin/merchants/shop-f' })
    t.same(got.json().channels, { [NAME]: { secret_key: `${key.slice(0, 10)}…` } })
    const bad = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { channels: { nope: {} } } })
    t.equal(bad.statusCode, 400)
    t.match(bad.json().error, { code: 'PAYLAB_VALIDATION_FAILED', field: 'channels.nope' })
    const patched = await gw.admin({ method: 'PATCH', url: '/admin/merchants/shop-f', payload: { name: 'F', channels: { [NAME]: {} } } })
    t.match(patched.json(), { name: 'F', channels: { [NAME]: { secret_key: key, generated: true } } }, 'PATCH keeps what it is not given')
    const plain = await gw.admin({ method: 'GET', url: '/admin/merchants/demo' })
    t.notOk('channels' in plain.json(), 'a merchant without channel credentials shows none')
  })

  t.test('the channel constraint: the same path, told apart by the credential headers', async (t) => {
    const viaKey = await gw.app.inject({ method: 'GET', url: '/v1/refunds/re_1', headers: bearer })
    t.same(viaKey.json(), { object: 'refund', id: 're_1', served_by: NAME })
    const viaBasic = await gw.app.inject({ method: 'GET', url: '/v1/refunds/re_2', headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` } })
    t.equal(viaBasic.json().served_by, NAME)
    const paylab = await gw.signed({ method: 'GET', path: '/v1/refunds/re_1' })
    t.equal(paylab.statusCode, 404)
    t.equal(paylab.json().error.code, 'PAYLAB_REFUND_NOT_FOUND', 'paylab\'s signed request reaches paylab\'s route')
    t.ok(paylab.headers['paylab-signature'], 'and is answered signed by paylab\'s protocol')
    t.notOk(viaKey.headers['paylab-signature'], 'paylab\'s answer signing stays in paylab\'s scope')
    const none = await gw.app.inject({ method: 'GET', url: '/v1/refunds/re_1' })
    t.equal(none.json().error.code, 'PAYLAB_AUTH_HEADERS_MISSING', 'unclaimed requests take the unconstrained route')
    const onlyPaylab = await gw.app.inject({ method: 'GET', url: '/v1/payments/pay_x', headers: bearer })
    t.equal(onlyPaylab.json().error.code, 'PAYLAB_AUTH_HEADERS_MISSING', 'a path only paylab serves stays paylab\'s')
    const [mine] = gw.engine.localJournal({ path: '/v1/refunds/re_1', channel: NAME })
    t.match(mine, { channel: NAME, merchant_id: 'shop-f', status: 200 })
    t.equal(gw.engine.localJournal({ path: '/v1/refunds/re_1', channel: 'paylab' }).length, 2)
  })

  t.test('outcomes and faults apply through the profile; notifications through its codec', async (t) => {
    const declined = await gw.app.inject({ method: 'POST', url: '/v1/payments', headers: { ...bearer, 'paylab-scenario': 'outcome=decline:insufficient_funds' }, payload: { amount: 1000, order: orderId() } })
    t.match(declined.json(), { object: 'charge', status: 'failed', failure: 'insufficient_funds' })
    const magic = await gw.app.inject({ method: 'POST', url: '/v1/payments', headers: bearer, payload: { amount: 40051, order: orderId() } })
    t.match(magic.json(), { status: 'requires_action' }, 'a wallet waits for the buyer, whatever its amount decides')
    const lost = await gw.app.inject({ method: 'POST', url: '/v1/payments', headers: { ...bearer, 'paylab-scenario': 'http_503' }, payload: { amount: 1000, order: orderId() } })
    t.equal(lost.statusCode, 503)
    const tampered = await gw.app.inject({ method: 'POST', url: '/v1/payments', headers: { ...bearer, 'paylab-scenario': 'bad_signature' }, payload: { amount: 1000, order: orderId() } })
    t.equal(tampered.headers['x-fake-signature'], 'bad', 'answer faults use the profile\'s own signing')
    const entry = gw.engine.localJournal({ channel: NAME, method: 'POST' }).at(-1)
    t.match(entry, { fault: 'bad_signature', merchant_id: 'shop-f' })

    const pay = gw.engine.findPayment(magic.json().id)
    t.match(pay, { channel: NAME, channel_data: { flavour: 'test' } })
    sent.length = 0
    answers = ['fail', 'success']
    await gw.engine.completeAction(magic.json().id, 'pass')
    await gw.engine.advanceClock(60_000)
    t.same(sent.map((s) => s.body), [`payment.failed:${magic.json().id}`, `payment.failed:${magic.json().id}`], 'encoded by the codec (the magic amount declined it)')
    t.same(sent.map((s) => s.at - (sent[0]?.at ?? 0)), [0, 10_000], 'a body other than success is retried on the profile\'s schedule')
    const [event] = gw.engine.findEvents({ payment_id: magic.json().id, limit: Infinity }).reverse()
    t.match(event, { channel: NAME, status: 'delivered' })
    t.match(event?.attempts[0], { status_code: 200, error: /not an acknowledgement/ })
  })
})

// GatewayOptions.channels and .dashboard (`paylab gateway --channels paylab --no-dashboard`): a
// gateway serves the profiles it is given and no other, each profile's routes with it.
t.test('a gateway given only paylab and no dashboard serves /v1 and nothing of the other channels', async (t) => {
  const gw = await build(t, { channels: [paylabProfile], dashboard: false })
  t.same(gw.engine.channelNames, ['paylab'])
  const listed = await gw.signed({ method: 'GET', path: '/v1/payments' })
  t.equal(listed.statusCode, 200, listed.body)
  const created = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') })
  t.equal(created.statusCode, 201, created.body)
  const absent: Array<[string, 'GET' | 'POST', string, Record<string, string>]> = [
    ['WeChat Pay', 'POST', '/v3/pay/transactions/native', { authorization: 'WECHATPAY2-SHA256-RSA2048 mchid="1900000001"' }],
    ['Alipay', 'POST', '/gateway.do', {}],
    ['Stripe', 'GET', '/v1/payment_intents', { authorization: 'Bearer sk_test_x' }],
    ['the dashboard', 'GET', '/dashboard/payments', {}]
  ]
  for (const [name, method, url, headers] of absent) {
    const res = await gw.app.inject({ method, url, headers, payload: method === 'POST' ? {} : undefined })
    t.equal(res.statusCode, 404, `${name}: ${method} ${url}`)
    t.equal(res.json().error.code, 'PAYLAB_ROUTE_NOT_FOUND', `${name}: no route`)
  }
  t.same(gw.app.dashboardRoutes, [])
  const refused = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { channels: { wechatpay: {} } } })
  t.equal(refused.statusCode, 400, 'credentials of a channel not served are refused')
  t.match(refused.json().error, { code: 'PAYLAB_VALIDATION_FAILED', field: 'channels.wechatpay' })
  const health = await gw.app.inject({ method: 'GET', url: '/healthz' })
  t.equal(health.statusCode, 200)
})
