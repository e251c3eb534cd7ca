// WeChat Pay v3's wire <-> the engine, as pure functions: an order request to a payment input,
// a payment to the transaction object WeChat answers, a refund to its refund object.
import { createHash } from 'node:crypto'
import type { CreatePaymentInput } from '../../engine/payments.js'
import type { CreateRefundInput } from '../../engine/refunds.js'
import type { Payment, Refund } from '../../engine/types.js'
import type { WechatpayCredentials } from './credentials.js'
import { appidMismatch, paramError } from './errors.js'

export type TradeType = 'NATIVE' | 'JSAPI' | 'APP' | 'MWEB'
export const TRADE_TYPES: Readonly<Record<string, TradeType>> = { native: 'NATIVE', jsapi: 'JSAPI', app: 'APP', h5: 'MWEB' }
export const CHANNEL = 'wechatpay'

type Body = Record<string, unknown>
const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v)

function str (body: Body, path: string, name: string, max: number, required = true, pattern?: RegExp): string | undefined {
  const v = body[name]
  if (v === undefined) { if (required) throw paramError(`输入源"/body${path}"映射到字段"${name}"必填性规则校验失败，此字段为必填项 (${path.slice(1).replaceAll('/', '.')} is required)`, path); return undefined }
  if (typeof v !== 'string' || v.length === 0 || v.length > max || (pattern !== undefined && !pattern.test(v))) {
    throw paramError(`${path.slice(1).replaceAll('/', '.')} must be a string of 1 to ${max} characters${pattern === undefined ? '' : ` matching ${pattern.source}`}`, path, v)
  }
  return v
}

function obj (body: Body, path: string, name: string, required = true): Body | undefined {
  const v = body[name]
  if (v === undefined && !required) return undefined
  if (!isObject(v)) throw paramError(`${path.slice(1)} is required and must be an object`, path)
  return v
}

const OUT_NO = /^[A-Za-z0-9_\-|*]{6,64}$/

/** An order request of `tradeType` for the merchant that signed it, as the engine's create. */
export function orderInput (tradeType: TradeType, body: unknown, creds: WechatpayCredentials, nowMs: number): { input: CreatePaymentInput, channelData: Record<string, string> } {
  if (!isObject(body)) throw paramError('the request body must be a JSON object', '/')
  const appid = str(body, '/appid', 'appid', 32) as string
  const mchid = str(body, '/mchid', 'mchid', 32) as string
  if (mchid !== creds.mchid) throw paramError('mchid must be the merchant that signs the request', '/mchid', mchid)
  if (appid !== creds.appid) throw appidMismatch()
  const description = str(body, '/description', 'description', 127) as string
  const outTradeNo = str(body, '/out_trade_no', 'out_trade_no', 32, true, OUT_NO) as string
  const notifyUrl = str(body, '/notify_url', 'notify_url', 256) as string
  const attach = str(body, '/attach', 'attach', 128, false)
  const timeExpire = str(body, '/time_expire', 'time_expire', 64, false)
  const amount = obj(body, '/amount', 'amount') as Body
  const total = amount.total
  if (!Number.isSafeInteger(total) || (total as number) < 1) throw paramError('amount.total must be a whole number of fen, at least 1', '/amount/total', total)
  const currency = amount.currency ?? 'CNY'
  if (currency !== 'CNY') throw paramError('amount.currency must be CNY', '/amount/currency', currency)
  const channelData: Record<string, string> = { trade_type: tradeType, appid, mchid }
  if (attach !== undefined) channelData.attach = attach
  if (tradeType === 'JSAPI') channelData.openid = str(obj(body, '/payer', 'payer') as Body, '/payer/openid', 'openid', 128) as string
  if (tradeType === 'MWEB') {
    const scene = obj(body, '/scene_info', 'scene_info') as Body
    str(scene, '/scene_info/payer_client_ip', 'payer_client_ip', 45)
    str(obj(scene, '/scene_info/h5_info', 'h5_info') as Body, '/scene_info/h5_info/type', 'type', 32)
  }
  const input: CreatePaymentInput = {
    merchant_order_id: outTradeNo,
    amount: total as number,
    currency: 'CNY',
    method: { type: 'wallet', wallet: { provider: 'wechat_pay' } },
    description,
    notify_url: notifyUrl
  }
  if (timeExpire !== undefined) {
    const at = Date.parse(timeExpire)
    if (Number.isNaN(at) || !/[T ].*([+-]\d\d:\d\d|Z)$/.test(timeExpire)) throw paramError('time_expire must be an RFC 3339 time such as 2018-06-08T10:34:56+08:00', '/time_expire', timeExpire)
    input.expires_in = Math.max(60, Math.round((at - nowMs) / 1000))
  }
  return { input, channelData }
}

/** `trade_state` from the engine's status. */
export function tradeState (p: Payment): { state: string, desc: string } {
  switch (p.status) {
    case 'succeeded': return p.amount_refunded > 0 ? { state: 'REFUND', desc: '转入退款' } : { state: 'SUCCESS', desc: '支付成功' }
    case 'failed': return { state: 'PAYERROR', desc: `支付失败 (${p.failure?.code ?? 'declined'})` }
    case 'canceled': return { state: 'CLOSED', desc: p.cancellation_reason === 'expired' ? '已关闭 (expired)' : '已关闭' }
    case 'processing': return { state: 'USERPAYING', desc: '用户支付中' }
    default: return { state: 'NOTPAY', desc: '未支付' }
  }
}

const digitsOf = (seed: string, n: number): string =>
  [...createHash('sha256').update(seed).digest()].map((b) => String(b % 10)).join('').padEnd(n, '0').slice(0, n)

/** Beijing time as WeChat writes it: 2018-06-08T10:34:56+08:00. */
export function wechatTime (iso: string): string {
  return `${new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`
}

/** WeChat's 28-digit order number of a payment: fixed by the payment id. */
export const transactionId = (p: Payment): string => `4200${wechatTime(p.created_at).slice(0, 10).replaceAll('-', '')}${digitsOf(p.id, 16)}`
export const refundId = (r: Refund): string => `50${digitsOf(r.id, 27)}`
export const prepayId = (p: Payment): string => `wx${p.id.replace(/^pay_/, '')}`
export const paymentIdOfPrepay = (prepay: string): string => `pay_${prepay.replace(/^wx/, '')}`
const openidOf = (p: Payment): string => p.channel_data?.openid ?? `o${digitsOf(`openid:${p.merchant_id}`, 27)}`

/** The transaction object of a query answer and a TRANSACTION.* notification. */
export function transaction (p: Payment, creds: WechatpayCredentials): Record<string, unknown> {
  const { state, desc } = tradeState(p)
  const paid = state === 'SUCCESS' || state === 'REFUND'
  const data = p.channel_data ?? {}
  return {
    appid: data.appid ?? creds.appid,
    mchid: creds.mchid,
    out_trade_no: p.merchant_order_id,
    ...(paid || state === 'PAYERROR' ? { transaction_id: transactionId(p) } : {}),
    trade_type: data.trade_type ?? 'NATIVE',
    trade_state: state,
    trade_state_desc: desc,
    ...(paid ? { bank_type: 'OTHERS', success_time: wechatTime(p.updated_at) } : {}),
    ...(data.attach === undefined ? {} : { attach: data.attach }),
    ...(paid || state === 'PAYERROR' ? { payer: { openid: openidOf(p) } } : {}),
    amount: { total: p.amount, currency: p.currency, ...(paid ? { payer_total: p.amount, payer_currency: p.currency } : {}) }
  }
}

/** A refund request's fields for the engine; `total` must be the order's. */
export function refundInput (body: unknown): { by: { transaction_id?: string, out_trade_no?: string }, input: CreateRefundInput, total: number } {
  if (!isObject(body)) throw paramError('the request body must be a JSON object', '/')
  const transaction = str(body, '/transaction_id', 'transaction_id', 32, false)
  const outTradeNo = str(body, '/out_trade_no', 'out_trade_no', 32, false)
  if (transaction === undefined && outTradeNo === undefined) throw paramError('transaction_id or out_trade_no is required', '/out_trade_no')
  const outRefundNo = str(body, '/out_refund_no', 'out_refund_no', 64, true, OUT_NO) as string
  const reason = str(body, '/reason', 'reason', 80, false)
  str(body, '/notify_url', 'notify_url', 256, false)
  const amount = obj(body, '/amount', 'amount') as Body
  for (const name of ['refund', 'total'] as const) {
    const v = amount[name]
    if (!Number.isSafeInteger(v) || (v as number) < 1) throw paramError(`amount.${name} must be a whole number of fen, at least 1`, `/amount/${name}`, v)
  }
  if (amount.currency !== 'CNY') throw paramError('amount.currency must be CNY', '/amount/currency', amount.currency)
  const by = transaction === undefined ? { out_trade_no: outTradeNo as string } : { transaction_id: transaction }
  return { by, input: { merchant_refund_id: outRefundNo, amount: amount.refund as number, ...(reason === undefined ? {} : { reason }) }, total: amount.total as number }
}

export function refundStatus (r: Refund): string { return r.status === 'succeeded' ? 'SUCCESS' : 'ABNORMAL' }

/** The refund object of a refund answer and query. */
export function refundObject (r: Refund, p: Payment): Record<string, unknown> {
  return {
    refund_id: refundId(r),
    out_refund_no: r.merchant_refund_id,
    transaction_id: transactionId(p),
    out_trade_no: p.merchant_order_id,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(r.status === 'succeeded' ? { success_time: wechatTime(r.created_at) } : {}),
    create_time: wechatTime(r.created_at),
    status: refundStatus(r),
    funds_account: 'AVAILABLE',
    amount: {
      total: p.amount, refund: r.amount, payer_total: p.amount, payer_refund: r.amount,
      settlement_refund: r.amount, settlement_total: p.amount, discount_refund: 0, currency: r.currency, refund_fee: 0
    }
  }
}

/** The decrypted resource of a REFUND.* notification. */
export function refundResource (r: Refund, p: Payment, creds: WechatpayCredentials): Record<string, unknown> {
  return {
    mchid: creds.mchid,
    out_trade_no: p.merchant_order_id,
    transaction_id: transactionId(p),
    out_refund_no: r.merchant_refund_id,
    refund_id: refundId(r),
    refund_status: refundStatus(r),
    ...(r.status === 'succeeded' ? { success_time: wechatTime(r.created_at) } : {}),
    user_received_account: '支付用户零钱',
    amount: { total: p.amount, refund: r.amount, payer_total: p.amount, payer_refund: r.amount }
  }
}
