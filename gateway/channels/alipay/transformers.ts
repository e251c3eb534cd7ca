// Alipay's wire values <-> the engine's records: pure mapping, no Fastify, no HTTP. Amounts are
// yuan strings ("88.88") read as decimal text, never through a float; times are Beijing time.
import { majorToMinor, minorToMajor } from '../../engine/money.js'
import type { Payment, Refund } from '../../engine/types.js'
import { AlipayError } from './errors.js'

export const CURRENCY = 'CNY'
/** The sandbox buyer every trade is paid by (Alipay user ids are 2088 and 12 digits). */
export const SANDBOX_BUYER = { buyer_id: '2088102177846880', buyer_logon_id: 'buy***@sandbox.paylab' }
/** After this long a paid trade can no longer be refunded: TRADE_FINISHED (Alipay's default refund period). */
export const REFUND_PERIOD_MS = 365 * 86_400_000

const YUAN = /^(0|[1-9]\d{0,9})(\.\d{1,2})?$/

/** "88.88" → 8888 fen; anything but plain decimal yuan with at most 2 decimals is refused. */
export function yuanToFen (text: unknown, field: string): number {
  if (typeof text !== 'string' || !YUAN.test(text)) {
    throw new AlipayError('ACQ.INVALID_PARAMETER', `${field} must be an amount in yuan such as 88.88 (at most 2 decimals)`)
  }
  const fen = majorToMinor(text, CURRENCY, field === 'total_amount' ? 'amount' : field)
  if (fen > 100_000_000_00) throw new AlipayError('ACQ.INVALID_PARAMETER', `${field} is more than 100000000 yuan`)
  return fen
}

export const fenToYuan = (fen: number): string => minorToMajor(fen, CURRENCY)

/** `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8), as Alipay writes times. */
export function beijingTime (ms: number): string {
  const d = new Date(ms + 8 * 3_600_000).toISOString()
  return `${d.slice(0, 10)} ${d.slice(11, 19)}`
}

/** The trade state of a payment, on the engine clock. */
export function tradeStatus (p: Payment, nowMs: number): 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED' {
  switch (p.status) {
    case 'requires_action': case 'processing': case 'authorized': return 'WAIT_BUYER_PAY'
    case 'failed': case 'canceled': return 'TRADE_CLOSED'
    case 'succeeded':
      // A trade refunded in full is closed; one past its refund period is finished.
      if (p.amount_refunded > 0 && p.amount_refunded >= p.amount_captured) return 'TRADE_CLOSED'
      return nowMs - Date.parse(p.updated_at) >= REFUND_PERIOD_MS ? 'TRADE_FINISHED' : 'TRADE_SUCCESS'
  }
}

export type Fields = Record<string, string | Array<Record<string, string>>>

/** What alipay.trade.query (and /v3/alipay/trade/query) says of a trade. */
export function tradeFields (p: Payment, nowMs: number): Fields {
  const paid = p.status === 'succeeded'
  const status = tradeStatus(p, nowMs)
  const fields: Fields = {
    trade_no: p.id,
    out_trade_no: p.merchant_order_id,
    trade_status: status,
    total_amount: fenToYuan(p.amount),
    buyer_pay_amount: paid ? fenToYuan(p.amount_captured) : '0.00',
    receipt_amount: paid ? fenToYuan(p.amount_captured) : '0.00',
    point_amount: '0.00',
    invoice_amount: paid ? fenToYuan(p.amount_captured) : '0.00',
    ...SANDBOX_BUYER,
    buyer_user_id: SANDBOX_BUYER.buyer_id
  }
  if (paid) {
    fields.send_pay_date = beijingTime(Date.parse(p.updated_at))
    fields.fund_bill_list = [{ amount: fenToYuan(p.amount_captured), fund_channel: 'ALIPAYACCOUNT' }]
  }
  if (p.amount_refunded > 0) fields.refund_amount = fenToYuan(p.amount_refunded)
  return fields
}

/** alipay.trade.refund's answer. `fundChange`: whether this request moved money (N for a repeat). */
export function refundFields (p: Payment, refund: Refund, fundChange: boolean): Fields {
  return {
    trade_no: p.id,
    out_trade_no: p.merchant_order_id,
    ...SANDBOX_BUYER,
    buyer_user_id: SANDBOX_BUYER.buyer_id,
    fund_change: fundChange ? 'Y' : 'N',
    refund_fee: fenToYuan(p.amount_refunded),
    gmt_refund_pay: beijingTime(Date.parse(refund.created_at)),
    send_back_fee: fenToYuan(refund.amount)
  }
}

/** Alipay keys a refund by its trade and out_request_no; paylab by a merchant-wide reference. */
export const refundRef = (paymentId: string, outRequestNo: string): string => `${paymentId}:${outRequestNo}`

/** alipay.trade.fastpay.refund.query's answer; without a refund, only the trade (Alipay: "not refunded"). */
export function refundQueryFields (p: Payment, outRequestNo: string, refund: Refund | undefined): Fields {
  const base: Fields = { trade_no: p.id, out_trade_no: p.merchant_order_id, out_request_no: outRequestNo }
  if (refund === undefined) return base
  return {
    ...base,
    total_amount: fenToYuan(p.amount),
    refund_amount: fenToYuan(refund.amount),
    refund_status: refund.status === 'succeeded' ? 'REFUND_SUCCESS' : 'REFUND_FAIL',
    gmt_refund_pay: beijingTime(Date.parse(refund.created_at))
  }
}

/** The sub_code of a payment the engine declined (alipay.trade.pay's failure). */
export function declineSubCode (p: Payment): string {
  return p.failure?.code === 'insufficient_funds' ? 'ACQ.BUYER_BALANCE_NOT_ENOUGH' : 'ACQ.PAYMENT_FAIL'
}
