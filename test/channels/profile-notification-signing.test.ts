// Alipay's notifications and synchronous return, and paylab's own RSA-signed notifications, are
// signed through the crypto provider's async form when it has one (the gateway's worker pool:
// off the event loop), as the profiles' answers are (profile-answer-signing.test.ts): the same
// signature bytes either way, the signing faults still act, and a provider without the async
// form still signs, at once. An HMAC notification never waits for a promise.
import t from 'tap'
import { RsaWorkerPool } from '../../gateway/crypto/worker-pool.js'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { nodeCrypto } from '../../gateway/engine/crypto.js'
import type { DeliveryRequest, NotificationTransport } from '../../gateway/engine/outbox.js'
import type { AlipayCredentials } from '../../gateway/channels/alipay/credentials.js'
import { contentToSign, rsa2Sign } from '../../gateway/channels/alipay/sign.js'
import { verifyNotification } from '../../merchant/sdk/index.js'
import { build } from '../helpers/build.js'
import { counted, countingCrypto } from '../helpers/signing-forms.js'
import { alipayGateway, receiver, tradeNo } from './alipay-helpers.js'

const pool = new RsaWorkerPool(1)
t.teardown(() => pool.close())

for (const withAsync of [true, false]) {
  const form = withAsync ? 'async' : 'sync'
  const once = withAsync ? { sync: 0, async: 1 } : { sync: 1, async: 0 }

  t.test(`Alipay notifications and the buyer's return, a provider ${withAsync ? 'with' : 'without'} the async form: signed by the ${form} form`, async (t) => {
    const { crypto, calls } = countingCrypto(pool, withAsync)
    const notify = await receiver(t)
    const gw = await alipayGateway(t, { crypto })
    const { sdk } = await gw.merchant('ali-note', { notify_url: notify.url })
    const alipayKey = (gw.engine.channelCredentials('ali-note', 'alipay') as AlipayCredentials).alipay_private_key
    const pay = (qrCode: string): Promise<Response> => fetch(qrCode, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=pass', redirect: 'manual' })
    const precreate = async (amount: string): Promise<{ order: string, qrCode: string }> => {
      const order = tradeNo()
      const pre = await sdk.exec('alipay.trade.precreate', { bizContent: { outTradeNo: order, totalAmount: amount, subject: 'Sign' } })
      return { order, qrCode: String(pre.qrCode) }
    }

    const first = await precreate('3.21')
    const note = await counted(calls, async () => { const next = notify.next(); await pay(first.qrCode); return await next })
    t.match(note.result.form, { out_trade_no: first.order, trade_status: 'TRADE_SUCCESS', sign_type: 'RSA2' })
    t.same({ sync: note.sync, async: note.async }, once, `the notification is signed once, by the ${form} form`)
    t.ok(sdk.checkNotifySignV2(note.result.form), 'the official SDK verifies it (checkNotifySignV2)')
    const { sign, ...unsigned } = note.result.form
    t.equal(sign, rsa2Sign(nodeCrypto, alipayKey, contentToSign(new Map(Object.entries(unsigned)), ['sign', 'sign_type'])), 'the very bytes node:crypto makes with the app\'s Alipay key')

    for (const fault of ['bad_signature', 'unknown_key', 'tampered_body'] as const) {
      await gw.engine.addRule({ merchant_id: 'ali-note', notification: fault, times: 1 })
      const { qrCode } = await precreate('4.56')
      const wrong = await counted(calls, async () => { const next = notify.next(); await pay(qrCode); return await next })
      t.same({ sync: wrong.sync, async: wrong.async }, once, `${fault}: signed by the ${form} form`)
      t.notOk(sdk.checkNotifySignV2(wrong.result.form), `${fault}: the notification does not verify`)
    }

    // page.pay, paid on the cashier, and the way back: the signed synchronous return.
    const url = sdk.pageExec('alipay.trade.page.pay', 'GET', {
      bizContent: { outTradeNo: tradeNo(), totalAmount: '0.01', subject: 'Page', productCode: 'FAST_INSTANT_TRADE_PAY' },
      returnUrl: 'https://shop.example/return?from=alipay'
    })
    const cashier = (await fetch(url, { redirect: 'manual' })).headers.get('location') as string
    const next = notify.next()
    const approved = await pay(cashier)
    t.equal(approved.status, 303)
    await next // its notification: signed before the return is counted
    const back = await counted(calls, () => fetch(new URL(approved.headers.get('location') as string, gw.base), { redirect: 'manual' }))
    t.equal(back.result.status, 302)
    t.same({ sync: back.sync, async: back.async }, once, `the return is signed once, by the ${form} form`)
    const { from: _from, ...params } = Object.fromEntries(new URL(back.result.headers.get('location') as string).searchParams)
    t.match(params, { method: 'alipay.trade.page.pay.return', sign_type: 'RSA2', sign: /./ })
    t.ok(sdk.checkNotifySignV2(params), 'the official SDK verifies the synchronous return')
  })

  t.test(`paylab notifications, a provider ${withAsync ? 'with' : 'without'} the async form: RSA by the ${form} form, HMAC with no RSA at all`, async (t) => {
    const { crypto, calls } = countingCrypto(pool, withAsync)
    const sent: DeliveryRequest[] = []
    const transport: NotificationTransport = { async deliver (r) { sent.push(r); return { status: 204, error: null, body: '' } } }
    const gw = await build(t, { crypto, transport, clock: new VirtualClock(Date.parse('2026-05-01T08:00:00Z')) })
    const gatewayKeys = gw.engine.keys().data as Array<{ id: string, public_key: string }>
    const merchant = async (id: string, type: 'RSA-SHA256' | 'HMAC-SHA256') => {
      const made = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id, answer_signature_type: type, notify_url: 'http://127.0.0.1:9/pl' } })
      t.equal(made.statusCode, 201, made.body)
      return { merchant: id, secret: made.json().hmac_secret as string }
    }
    /** A card payment (its answer signed too), then the notifications it sends: counted apart. */
    const notified = async (creds: { merchant: string, secret: string }) => {
      const created = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') }, creds)
      t.equal(created.statusCode, 201, created.body)
      const from = sent.length
      const delivered = await counted(calls, () => gw.engine.advanceClock(1000))
      return { ...delivered, notes: sent.slice(from) }
    }
    const verifies = (n: DeliveryRequest, secret: string): boolean => {
      try { verifyNotification(n.body, n.headers, { secret, gatewayKeys }); return true } catch { return false }
    }

    const rsa = await merchant('pl-rsa', 'RSA-SHA256')
    const got = await notified(rsa)
    t.ok(got.notes.length > 0, 'notified')
    t.same({ sync: got.sync, async: got.async }, withAsync ? { sync: 0, async: got.notes.length } : { sync: got.notes.length, async: 0 }, `each RSA notification is signed once, by the ${form} form`)
    t.ok(got.notes.every((n) => n.headers['Paylab-Signature-Type'] === 'RSA-SHA256' && verifies(n, rsa.secret)), 'each verifies with the merchant SDK and GET /v1/keys')

    for (const fault of ['bad_signature', 'unknown_key', 'stale_timestamp'] as const) {
      await gw.engine.addRule({ merchant_id: 'pl-rsa', notification: fault, times: 1 })
      const wrong = await notified(rsa)
      t.equal(withAsync ? wrong.async : wrong.sync, wrong.notes.length, `${fault}: signed by the ${form} form`)
      t.equal(wrong.notes.filter((n) => !verifies(n, rsa.secret)).length, 1, `${fault}: one notification does not verify`)
    }

    const hmac = await merchant('pl-hmac', 'HMAC-SHA256')
    const plain = await notified(hmac)
    t.ok(plain.notes.length > 0, 'notified')
    t.same({ sync: plain.sync, async: plain.async }, { sync: 0, async: 0 }, 'an HMAC notification makes no RSA signature')
    t.ok(plain.notes.every((n) => n.headers['Paylab-Signature-Type'] === 'HMAC-SHA256' && verifies(n, hmac.secret)))
    const identity = { merchant: gw.engine.merchant('pl-hmac'), signatureType: 'HMAC-SHA256' as const }
    t.notOk(gw.engine.signAnswerAsync(identity, '{}') instanceof Promise, 'HMAC: signed at once, no promise')
    t.equal(gw.engine.signAnswerAsync(identity, '{}', { kind: 'unknown_key' }) instanceof Promise, withAsync, 'unknown_key signs RSA: by the async form when there is one')
  })
}
