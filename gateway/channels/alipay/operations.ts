// The trade operations, the same for OpenAPI v2 (`method` on /gateway.do) and v3 (paths under
// /v3/alipay): each reads its business parameters, calls the engine's methods and answers the
// fields Alipay answers. Business failures are AlipayErrors (ACQ.* sub codes).
import type { Engine } from '../../engine/engine.js'
import { amountOutcome, type Outcome } from '../../engine/outcomes.js'
import type { Merchant, Payment } from '../../engine/types.js'
import { Biz, MERCHANT_NO } from './biz.js'
import type { AlipayCredentials } from './credentials.js'
import { AlipayError } from './errors.js'
import {
  beijingTime, CURRENCY, declineSubCode, fenToYuan, refundFields, refundQueryFields, refundRef, SANDBOX_BUYER, tradeFields,
  tradeStatus, yuanToFen, type Fields
} from './transformers.js'
import { billUrl } from './bills.js'

export interface OpContext {
  engine: Engine
  merchant: Merchant
  creds: AlipayCredentials
  biz: Biz
  /** Common parameters that shape a new trade (v2's query string). */
  notifyUrl?: string | undefined
  returnUrl?: string | undefined
  /** The sandbox's outcome for a create (a rule or Paylab-Scenario), if any. */
  outcome?: Outcome | undefined
  /** Files the request under the trade it opened or found (the journal; the dashboard's timeline). */
  about?: ((paymentId: string) => void) | undefined
}

export interface OpResult {
  fields: Fields
  /** 10003: alipay.trade.pay is waiting for the buyer. */
  code?: '10000' | '10003'
  /** page.pay / wap.pay: where the buyer goes (the cashier). */
  redirect?: string
}

export type Operation = (ctx: OpContext) => Promise<OpResult>

type Product = 'precreate' | 'create' | 'page' | 'wap' | 'barcode'

const TIMEOUT_EXPRESS = /^([1-9]\d{0,4})([mhdc])$/
const UNIT_SECONDS: Readonly<Record<string, number>> = { m: 60, h: 3600, d: 86_400, c: 86_400 }

/** The return route of the gateway: it signs Alipay's synchronous parameters, then sends the buyer on. */
export const RETURN_PATH = '/alipay/return'

async function openTrade (ctx: OpContext, product: Product, outcome?: Outcome): Promise<Payment> {
  const { biz, engine, merchant } = ctx
  const outTradeNo = biz.required('out_trade_no', 64, MERCHANT_NO)
  const amount = yuanToFen(biz.required('total_amount', 16), 'total_amount')
  const subject = biz.required('subject', 256)
  const timeout = biz.optional('timeout_express', 6, TIMEOUT_EXPRESS)
  const m = timeout === undefined ? null : TIMEOUT_EXPRESS.exec(timeout)
  const pageLike = product === 'page' || product === 'wap'
  const channelData: Record<string, string> = { app_id: ctx.creds.app_id, product }
  if (pageLike && ctx.returnUrl !== undefined) channelData.return_url = ctx.returnUrl
  // The trade's qr_code is what a shop shows the buyer to scan: the cashier shows it too.
  if (product === 'precreate') channelData.cashier_qr = 'next_action'
  const { payment, created } = await engine.openPayment(merchant.id, {
    merchant_order_id: outTradeNo,
    amount,
    currency: CURRENCY,
    method: { type: 'wallet', wallet: { provider: 'alipay' } },
    description: subject,
    ...(ctx.notifyUrl === undefined ? {} : { notify_url: ctx.notifyUrl }),
    ...(pageLike && ctx.returnUrl !== undefined ? { return_url: `${engine.config.publicUrl}${RETURN_PATH}` } : {}),
    ...(m === null ? {} : { expires_in: Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number) })
  }, { channel: 'alipay', channelData, outcome: outcome ?? ctx.outcome })
  ctx.about?.(payment.id)
  if (!created && product !== 'barcode') {
    const status = tradeStatus(payment, engine.clock.now())
    if (status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED') throw new AlipayError('ACQ.TRADE_HAS_SUCCESS', 'the trade is already paid')
    if (status === 'TRADE_CLOSED') throw new AlipayError('ACQ.TRADE_HAS_CLOSE', 'the trade is closed')
  }
  return payment
}

const cashierUrl = (p: Payment): string => {
  if (p.next_action === null) throw new AlipayError('ACQ.TRADE_STATUS_ERROR', `the trade waits for no buyer (${p.status})`)
  return p.next_action.url
}

function findTrade ({ engine, merchant, biz, about }: OpContext): Payment {
  const tradeNo = biz.optional('trade_no', 64)
  const outTradeNo = biz.optional('out_trade_no', 64)
  const p = tradeNo !== undefined ? engine.getPayment(merchant.id, tradeNo) : outTradeNo !== undefined ? engine.getPaymentByOrder(merchant.id, outTradeNo) : undefined
  if (p === undefined) throw new AlipayError('ACQ.INVALID_PARAMETER', 'trade_no or out_trade_no is required')
  about?.(p.id)
  return p
}

const ids = (p: Payment): Fields => ({ trade_no: p.id, out_trade_no: p.merchant_order_id })

export const OPERATIONS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['alipay.trade.precreate', async (ctx) => {
    const p = await openTrade(ctx, 'precreate')
    return { fields: { out_trade_no: p.merchant_order_id, qr_code: cashierUrl(p) } }
  }],
  ['alipay.trade.create', async (ctx) => ({ fields: ids(await openTrade(ctx, 'create')) })],
  ['alipay.trade.page.pay', async (ctx) => ({ fields: {}, redirect: cashierUrl(await openTrade(ctx, 'page')) })],
  ['alipay.trade.wap.pay', async (ctx) => ({ fields: {}, redirect: cashierUrl(await openTrade(ctx, 'wap')) })],
  ['alipay.trade.pay', async (ctx) => {
    // Barcode: the buyer's payment code pays at once; the amount (or the sandbox) decides how.
    ctx.biz.required('auth_code', 32)
    if (!/^\d{16,24}$/.test(ctx.biz.required('auth_code', 32))) throw new AlipayError('ACQ.PAYMENT_AUTH_CODE_INVALID', 'auth_code is not a payment code (16 to 24 digits)')
    const amount = yuanToFen(ctx.biz.required('total_amount', 16), 'total_amount')
    const p = await openTrade(ctx, 'barcode', ctx.outcome ?? amountOutcome(amount))
    if (p.status === 'failed') throw new AlipayError(declineSubCode(p), p.failure?.message ?? 'the payment failed')
    if (p.status === 'canceled') throw new AlipayError('ACQ.TRADE_HAS_CLOSE', 'the trade is closed')
    const fields: Fields = { ...ids(p), ...SANDBOX_BUYER, total_amount: fenToYuan(p.amount) }
    if (p.status !== 'succeeded') return { fields, code: '10003' }
    return {
      fields: {
        ...fields,
        receipt_amount: fenToYuan(p.amount_captured),
        buyer_pay_amount: fenToYuan(p.amount_captured),
        gmt_payment: beijingTime(Date.parse(p.updated_at)),
        fund_bill_list: [{ amount: fenToYuan(p.amount_captured), fund_channel: 'ALIPAYACCOUNT' }]
      }
    }
  }],
  ['alipay.trade.query', async (ctx) => ({ fields: tradeFields(findTrade(ctx), ctx.engine.clock.now()) })],
  ['alipay.trade.close', async (ctx) => {
    const p = findTrade(ctx)
    if (tradeStatus(p, ctx.engine.clock.now()) !== 'WAIT_BUYER_PAY') throw new AlipayError('ACQ.TRADE_STATUS_ERROR', `a ${tradeStatus(p, ctx.engine.clock.now())} trade cannot be closed`)
    return { fields: ids(await ctx.engine.closePayment(ctx.merchant.id, p.id)) }
  }],
  ['alipay.trade.cancel', async (ctx) => {
    // Cancel undoes a trade whatever its state: closes an unpaid one, refunds a paid one in full.
    const p = findTrade(ctx)
    const status = tradeStatus(p, ctx.engine.clock.now())
    if (status === 'WAIT_BUYER_PAY') await ctx.engine.closePayment(ctx.merchant.id, p.id)
    else if (status === 'TRADE_SUCCESS') await ctx.engine.refundPayment(ctx.merchant.id, p.id, { merchant_refund_id: refundRef(p.id, 'cancel'), reason: 'alipay.trade.cancel' })
    else if (status === 'TRADE_FINISHED') throw new AlipayError('ACQ.TRADE_STATUS_ERROR', 'a finished trade cannot be canceled')
    return { fields: { ...ids(p), retry_flag: 'N', action: status === 'TRADE_SUCCESS' ? 'refund' : 'close' } }
  }],
  ['alipay.trade.refund', async (ctx) => {
    const p = findTrade(ctx)
    if (tradeStatus(p, ctx.engine.clock.now()) === 'TRADE_FINISHED') throw new AlipayError('ACQ.TRADE_STATUS_ERROR', 'the refund period of this trade is over')
    const amount = yuanToFen(ctx.biz.required('refund_amount', 16), 'refund_amount')
    // Without out_request_no a refund is the trade's one full refund request, as with Alipay.
    const outRequestNo = ctx.biz.optional('out_request_no', 64, MERCHANT_NO) ?? p.merchant_order_id
    const reason = ctx.biz.optional('refund_reason', 256)
    const { refund, created } = await ctx.engine.refundPayment(ctx.merchant.id, p.id, {
      merchant_refund_id: refundRef(p.id, outRequestNo), amount, ...(reason === undefined ? {} : { reason })
    })
    return { fields: refundFields(ctx.engine.getPayment(ctx.merchant.id, p.id), refund, created) }
  }],
  ['alipay.trade.fastpay.refund.query', async (ctx) => {
    const p = findTrade(ctx)
    const outRequestNo = ctx.biz.optional('out_request_no', 64, MERCHANT_NO) ?? p.merchant_order_id
    const refund = ctx.engine.refundByMerchantRef(ctx.merchant.id, refundRef(p.id, outRequestNo))
    return { fields: refundQueryFields(p, outRequestNo, refund?.payment_id === p.id ? refund : undefined) }
  }],
  ['alipay.data.dataservice.bill.downloadurl.query', async (ctx) => {
    const type = ctx.biz.required('bill_type', 16)
    if (type !== 'trade' && type !== 'signcustomer') throw new AlipayError('ACQ.INVALID_PARAMETER', 'bill_type is trade or signcustomer')
    const date = ctx.biz.required('bill_date', 10, /^\d{4}-\d{2}(-\d{2})?$/)
    if (date.length === 7) throw new AlipayError('isp.bill_not_exist', 'paylab keeps daily bills only (bill_date YYYY-MM-DD)')
    if (date >= new Date(ctx.engine.clock.now()).toISOString().slice(0, 10)) throw new AlipayError('isp.bill_not_exist', 'the bill of a day is ready once the day is over (UTC)')
    return { fields: { bill_download_url: billUrl(ctx.engine, ctx.creds, date) } }
  }]
])
