// Alipay's asynchronous notifications: a form-encoded POST to notify_url, signed RSA2 with the
// app's Alipay key over the sorted parameters without `sign` and `sign_type`; received only when
// the answer's body is exactly `success`; retried 4m 10m 10m 1h 2h 6h 15h (about 25 hours).
import type { ChannelEnv, DeliveryRequest, NotificationCodec, NotificationInput } from '../../engine/channels.js'
import { whenReady, type Soon } from '../../engine/crypto.js'
import { DECOY_TEST_ONLY_PRIVATE_KEY } from '../../engine/decoy-key.js'
import type { Engine } from '../../engine/engine.js'
import type { Payment } from '../../engine/types.js'
import type { AlipayCredentials } from './credentials.js'
import { contentToSign, rsa2SignSoon, spoil } from './sign.js'
import { beijingTime, fenToYuan, SANDBOX_BUYER, tradeStatus } from './transformers.js'

export const ALIPAY_RETRY_SCHEDULE = [240, 600, 600, 3600, 7200, 21_600, 54_000] as const

/** A key no merchant was given (the `unknown_key` fault): never the app's Alipay key, whatever crypto provider a test gives. */
export const strangerKey = (): string => DECOY_TEST_ONLY_PRIVATE_KEY

/** The notification's parameters, unsigned. */
export function notificationParams (input: Pick<NotificationInput, 'event' | 'object'>, payment: Payment, creds: AlipayCredentials, notifyTimeMs: number, nowMs: number): Map<string, string> {
  const { event, object } = input
  const refund = object.object === 'refund' ? object : undefined
  const p = refund === undefined ? object as Payment : payment
  const paid = p.amount_captured > 0
  const params = new Map<string, string>([
    ['notify_time', beijingTime(notifyTimeMs)],
    ['notify_type', 'trade_status_sync'],
    // The same notify_id on every attempt: receivers use it to drop repeats.
    ['notify_id', `${event.id.replace(/[^A-Za-z0-9]/g, '')}`],
    ['app_id', creds.app_id],
    ['auth_app_id', creds.app_id],
    ['charset', 'utf-8'],
    ['version', '1.0'],
    ['sign_type', 'RSA2'],
    ['trade_no', p.id],
    ['out_trade_no', p.merchant_order_id],
    ['trade_status', refund === undefined ? tradeStatus(p, nowMs) : (payment.amount_refunded >= payment.amount_captured ? 'TRADE_CLOSED' : 'TRADE_SUCCESS')],
    ['total_amount', fenToYuan(p.amount)],
    ['seller_id', creds.seller_id],
    ['buyer_id', SANDBOX_BUYER.buyer_id],
    ['buyer_logon_id', SANDBOX_BUYER.buyer_logon_id],
    ['gmt_create', beijingTime(Date.parse(p.created_at))]
  ])
  if (p.description !== null) params.set('subject', p.description)
  if (paid) {
    params.set('receipt_amount', fenToYuan(p.amount_captured))
    params.set('buyer_pay_amount', fenToYuan(p.amount_captured))
    params.set('invoice_amount', fenToYuan(p.amount_captured))
    params.set('point_amount', '0.00')
    params.set('gmt_payment', beijingTime(Date.parse(p.updated_at)))
    params.set('fund_bill_list', JSON.stringify([{ amount: fenToYuan(p.amount_captured), fundChannel: 'ALIPAYACCOUNT' }]))
  }
  if (refund !== undefined) {
    // A refund's notification: out_biz_no is its out_request_no; refund_fee what is refunded so far.
    params.set('out_biz_no', refund.merchant_refund_id.slice(refund.merchant_refund_id.indexOf(':') + 1))
    params.set('refund_fee', fenToYuan(payment.amount_refunded))
    params.set('gmt_refund', beijingTime(Date.parse(refund.created_at)))
  }
  if (p.status === 'failed' || p.status === 'canceled') params.set('gmt_close', beijingTime(Date.parse(p.updated_at)))
  return params
}

/**
 * Signs notification (or synchronous return) parameters as Alipay does: without sign and sign_type.
 * Through the provider's async form when it has one (a promise then), else at once.
 */
export function signParamsSoon (env: Pick<ChannelEnv, 'crypto'>, params: Map<string, string>, privateKeyPem: string): Soon<Map<string, string>> {
  return whenReady(rsa2SignSoon(env.crypto, privateKeyPem, contentToSign(params, ['sign', 'sign_type'])), (signature) => params.set('sign', signature))
}

export function alipayCodec (engine: Engine): NotificationCodec {
  return {
    encode ({ event, object, merchant, url, attempt, fault, env }) {
      const creds = merchant.channels?.alipay as AlipayCredentials
      const payment = engine.findPayment(event.payment_id) ?? object as Payment
      const stale = fault?.name === 'stale_timestamp' ? fault.value * 1000 : 0
      const params = notificationParams({ event, object }, payment, creds, env.signingNow - stale, env.now)
      const tamperedAmount = fenToYuan(payment.amount + 100)
      const request = (signed: Map<string, string>): DeliveryRequest => {
        if (fault?.name === 'bad_signature') signed.set('sign', spoil(signed.get('sign') as string))
        // Changed after signing: the signature no longer covers what arrives.
        if (fault?.name === 'tampered_body') signed.set('total_amount', tamperedAmount)
        return {
          url,
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'user-agent': 'paylab-alipay-notifier/1', 'Paylab-Delivery-Attempt': String(attempt) },
          body: new URLSearchParams([...signed]).toString()
        }
      }
      // Signed on the gateway's worker pool when the provider has one, as Alipay's answers are.
      const signed = signParamsSoon(env, params, fault?.name === 'unknown_key' ? strangerKey() : creds.alipay_private_key)
      return whenReady(signed, request)
    },
    acknowledged: (_status, body) => body === 'success',
    retrySchedule: ALIPAY_RETRY_SCHEDULE
  }
}
