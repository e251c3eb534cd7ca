// The buyer's side of an Alipay trade, beside the shared cashier (where the buyer approves,
// declines or cancels): the QR image of a precreated trade, and the way back to the merchant's
// return_url with Alipay's signed synchronous parameters once the trade is paid.
import type { FastifyInstance } from 'fastify'
import QRCode from 'qrcode'
import { PAYMENT_NOT_FOUND } from '../../engine/errors.js'
import type { Payment } from '../../engine/types.js'
import { esc } from '../../cashier/views.js'
import { journaled } from '../../plugins/journal.js'
import type { AlipayCredentials } from './credentials.js'
import { signParamsSoon } from './codec.js'
import { RETURN_PATH } from './operations.js'
import { beijingTime, fenToYuan } from './transformers.js'

/** Alipay's synchronous return: what the buyer's browser brings back, signed like a notification. */
export function returnParams (p: Payment, creds: AlipayCredentials, nowMs: number): Map<string, string> {
  return new Map([
    ['charset', 'utf-8'],
    ['out_trade_no', p.merchant_order_id],
    ['method', `alipay.trade.${p.channel_data?.product === 'wap' ? 'wap' : 'page'}.pay.return`],
    ['total_amount', fenToYuan(p.amount)],
    ['trade_no', p.id],
    ['auth_app_id', creds.app_id],
    ['version', '1.0'],
    ['app_id', creds.app_id],
    ['sign_type', 'RSA2'],
    ['seller_id', creds.seller_id],
    ['timestamp', beijingTime(nowMs)]
  ])
}

export default async function buyerRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  const alipayPayment = (id: unknown): Payment => {
    const payment = typeof id === 'string' ? engine.findPayment(id) : undefined
    if (payment?.channel !== 'alipay') throw PAYMENT_NOT_FOUND('no Alipay trade has this id', { payment_id: id })
    return payment
  }
  await app.register(journaled, {
    channel: 'alipay',
    describe: (request) => {
      const q = request.query as { payment_id?: unknown }
      const id = (request.params as { id?: unknown }).id ?? q.payment_id
      const p = typeof id === 'string' ? engine.findPayment(id) : undefined
      return p === undefined ? {} : { merchant_id: p.merchant_id, payment_id: p.id }
    }
  })

  // The cashier sends the buyer here (the payment's return_url); paid, they go on to the
  // merchant's return_url with the signed parameters, else to it as it is.
  app.get<{ Querystring: { payment_id?: string } }>(RETURN_PATH, { config: { contract: false } }, async (request, reply) => {
    const p = alipayPayment(request.query.payment_id)
    const target = p.channel_data?.return_url
    if (target === undefined) return reply.code(303).header('location', `/cashier/${p.id}`).send()
    const url = new URL(target)
    if (p.status === 'succeeded') {
      const creds = engine.channelCredentials(p.merchant_id, 'alipay') as AlipayCredentials
      // On the gateway's worker pool when the provider has one: the handler waits, the event loop does not.
      const signed = await signParamsSoon({ crypto: engine.crypto }, returnParams(p, creds, engine.signingNow()), creds.alipay_private_key)
      for (const [k, v] of signed) url.searchParams.set(k, v)
    }
    return reply.code(302).header('location', url.toString()).send()
  })

  // A precreated trade's qr_code as a real QR image (what a shop shows the buyer to scan).
  app.get<{ Params: { id: string } }>('/alipay/qr/:id', { config: { contract: false } }, async (request, reply) => {
    const p = alipayPayment(request.params.id)
    const target = p.next_action?.url ?? `${engine.config.publicUrl}/cashier/${p.id}`
    const svg = await QRCode.toString(target, { type: 'svg', margin: 2, width: 240 })
    if (request.headers.accept?.includes('image/svg+xml') === true && request.headers.accept?.includes('text/html') !== true) {
      return reply.type('image/svg+xml').send(svg)
    }
    return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; img-src data:; style-src 'unsafe-inline'").send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Scan to pay ${esc(fenToYuan(p.amount))} CNY · paylab Alipay</title></head>
<body style="font-family:sans-serif;text-align:center"><h1>Scan with Alipay</h1><p>Order ${esc(p.merchant_order_id)} · ${esc(fenToYuan(p.amount))} CNY</p>
<figure id="qr" aria-label="QR code of the payment">${svg}</figure><p><a href="${esc(target)}">Open the cashier</a></p></body></html>`)
  })
}
