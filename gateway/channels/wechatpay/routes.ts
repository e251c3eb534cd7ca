// WeChat Pay v3 operations over the engine: orders (native, jsapi, app, h5), queries by
// transaction_id and out_trade_no, close, refunds, /v3/certificates; and the buyer's way from a
// prepay_id to the cashier.
import { X509Certificate } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Payment } from '../../engine/types.js'
import { aeadEncrypt } from './aead.js'
import type { WechatpayCaller } from './plugin.js'
import { invalidRequest, orderClosed, orderNotExist, orderPaid, paramError, resourceNotExists } from './errors.js'
import { newNonce } from './signing.js'
import {
  CHANNEL, TRADE_TYPES, orderInput, paymentIdOfPrepay, prepayId, refundInput, refundObject, tradeState, transaction, transactionId, type TradeType
} from './transformers.js'

const config = { contract: false } as const
type Id = { Params: { id: string }, Querystring: { mchid?: string } }

const send = (reply: FastifyReply, value: unknown, status = 200): FastifyReply => reply.code(status).type('application/json').send(JSON.stringify(value))
const callerOf = (request: FastifyRequest): WechatpayCaller => request.wechatpay as WechatpayCaller

export async function wechatpayRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  const cashierUrl = (p: Payment): string => p.next_action?.url ?? `${engine.config.publicUrl}/cashier/${p.id}`

  for (const [path, tradeType] of Object.entries(TRADE_TYPES)) {
    app.post(`/v3/pay/transactions/${path}`, { config: { ...config, create: true } }, async (request, reply) => send(reply, await order(request, tradeType)))
  }

  async function order (request: FastifyRequest, tradeType: TradeType): Promise<Record<string, string>> {
    const { merchant, creds } = callerOf(request)
    const { input, channelData } = orderInput(tradeType, request.body, creds, engine.clock.now())
    const existing = byOrder(merchant.id, input.merchant_order_id, false)
    if (existing !== undefined) {
      if (existing.channel !== CHANNEL) throw invalidRequest('商户订单号重复 (out_trade_no is an order made through another channel)')
      if (existing.status === 'succeeded') throw orderPaid()
      if (existing.status === 'canceled') throw orderClosed()
    }
    const { payment } = await engine.openPayment(merchant.id, input, { channel: CHANNEL, channelData, outcome: request.decision?.outcome })
    if (request.journalEntry !== undefined) request.journalEntry.payment_id = payment.id
    switch (tradeType) {
      case 'NATIVE': return { code_url: cashierUrl(payment) }
      case 'MWEB': return { h5_url: cashierUrl(payment) }
      default: return { prepay_id: prepayId(payment) }
    }
  }

  function byOrder (merchantId: string, outTradeNo: string, required = true): Payment | undefined {
    let payment: Payment | undefined
    try {
      payment = engine.getPaymentByOrder(merchantId, outTradeNo)
    } catch {
      payment = undefined
    }
    if (payment === undefined && required) throw orderNotExist()
    return payment
  }

  function byTransaction (merchantId: string, id: string): Payment {
    // Only a paid (or failed) order has a transaction_id; it is fixed by the payment id.
    const payment = engine.findChannelPayment(merchantId, CHANNEL, (p) => transactionId(p) === id && ['SUCCESS', 'REFUND', 'PAYERROR'].includes(tradeState(p).state))
    if (payment === undefined) throw orderNotExist()
    return payment
  }

  function checkMchid (request: FastifyRequest, given: unknown, location: 'query' | 'body'): void {
    if (given !== callerOf(request).creds.mchid) throw paramError('mchid is required and must be the merchant that signs the request', location === 'query' ? 'mchid' : '/mchid', given, location)
  }

  const answerTransaction = (request: FastifyRequest, reply: FastifyReply, p: Payment): FastifyReply => {
    if (request.journalEntry !== undefined) request.journalEntry.payment_id = p.id
    return send(reply, transaction(p, callerOf(request).creds))
  }

  app.get<Id>('/v3/pay/transactions/id/:id', { config }, async (request, reply) => {
    checkMchid(request, request.query.mchid, 'query')
    return answerTransaction(request, reply, byTransaction(callerOf(request).merchant.id, request.params.id))
  })

  app.get<Id>('/v3/pay/transactions/out-trade-no/:id', { config }, async (request, reply) => {
    checkMchid(request, request.query.mchid, 'query')
    return answerTransaction(request, reply, byOrder(callerOf(request).merchant.id, request.params.id) as Payment)
  })

  app.post<{ Params: { out_trade_no: string }, Body: { mchid?: unknown } | undefined }>('/v3/pay/transactions/out-trade-no/:out_trade_no/close', { config }, async (request, reply) => {
    checkMchid(request, request.body?.mchid, 'body')
    const { merchant } = callerOf(request)
    const payment = byOrder(merchant.id, request.params.out_trade_no) as Payment
    if (request.journalEntry !== undefined) request.journalEntry.payment_id = payment.id
    if (payment.status === 'succeeded') throw orderPaid()
    // Closing a closed or failed order changes nothing and is not an error on WeChat.
    if (payment.status !== 'canceled' && payment.status !== 'failed') await engine.closePayment(merchant.id, payment.id)
    return reply.code(204).send()
  })

  app.post('/v3/refund/domestic/refunds', { config }, async (request, reply) => {
    const { merchant } = callerOf(request)
    const { by, input, total } = refundInput(request.body)
    const payment = by.transaction_id === undefined ? byOrder(merchant.id, by.out_trade_no as string) as Payment : byTransaction(merchant.id, by.transaction_id)
    if (request.journalEntry !== undefined) request.journalEntry.payment_id = payment.id
    if (total !== payment.amount) throw paramError(`amount.total ${total} is not the order's ${payment.amount}`, '/amount/total', total)
    if (payment.status !== 'succeeded' && engine.refundByMerchantRef(merchant.id, input.merchant_refund_id) === undefined) throw invalidRequest('订单未支付，不能退款 (only a paid order can be refunded)')
    const { refund } = await engine.refundPayment(merchant.id, payment.id, input)
    return send(reply, refundObject(refund, engine.findPayment(payment.id) as Payment))
  })

  app.get<{ Params: { out_refund_no: string } }>('/v3/refund/domestic/refunds/:out_refund_no', { config }, async (request, reply) => {
    const { merchant } = callerOf(request)
    const refund = engine.refundByMerchantRef(merchant.id, request.params.out_refund_no)
    if (refund === undefined) throw resourceNotExists()
    if (request.journalEntry !== undefined) request.journalEntry.payment_id = refund.payment_id
    return send(reply, refundObject(refund, engine.findPayment(refund.payment_id) as Payment))
  })

  // The platform certificate, encrypted under the APIv3 key as WeChat serves it.
  app.get('/v3/certificates', { config }, async (request, reply) => {
    const { creds } = callerOf(request)
    const cert = new X509Certificate(creds.platform_certificate)
    const encrypted = aeadEncrypt(creds.apiv3_key, newNonce().slice(0, 12), 'certificate', creds.platform_certificate)
    return send(reply, {
      data: [{
        serial_no: creds.platform_certificate_serial,
        effective_time: new Date(cert.validFrom).toISOString().replace('.000Z', '+00:00'),
        expire_time: new Date(cert.validTo).toISOString().replace('.000Z', '+00:00'),
        encrypt_certificate: encrypted
      }]
    })
  })
}

/** The WeChat app's part: a prepay_id (jsapi, app) leads the buyer to the order's cashier page. */
export async function buyerRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  app.get<{ Params: { prepay_id: string } }>('/wechatpay/prepay/:prepay_id', { config }, async (request, reply) => {
    const payment = engine.findPayment(paymentIdOfPrepay(request.params.prepay_id))
    if (payment === undefined || payment.channel !== CHANNEL) return reply.code(404).type('application/json').send(orderNotExist().body())
    return reply.code(303).header('location', `/cashier/${payment.id}`).send()
  })
}
