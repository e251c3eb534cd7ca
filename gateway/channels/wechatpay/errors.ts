// WeChat Pay's error format, `{code, message, detail}` with the HTTP status WeChat uses, and how
// paylab's engine errors (gateway/engine/errors.ts) read on this channel's wire. The table is
// documented in docs/channels/wechatpay.md.
import type { FastifyError } from 'fastify'
import { PaylabError } from '../../engine/errors.js'
import { toPaylabError } from '../../plugins/errors.js'

export interface WechatpayDetail { field?: string, value?: unknown, issue?: string, location?: string }

export class WechatpayError extends Error {
  constructor (readonly statusCode: number, readonly code: string, message: string, readonly detail?: WechatpayDetail) {
    super(message)
    this.name = 'WechatpayError'
  }

  body (): string {
    return JSON.stringify({ code: this.code, message: this.message, ...(this.detail === undefined ? {} : { detail: this.detail }) })
  }
}

export const paramError = (message: string, field?: string, value?: unknown, location = 'body'): WechatpayError =>
  new WechatpayError(400, 'PARAM_ERROR', message, field === undefined ? undefined : { field, ...(value === undefined ? {} : { value }), issue: message, location })
export const invalidRequest = (message: string): WechatpayError => new WechatpayError(400, 'INVALID_REQUEST', message)
export const signError = (message: string, detail?: WechatpayDetail): WechatpayError => new WechatpayError(401, 'SIGN_ERROR', message, detail)
export const orderNotExist = (): WechatpayError => new WechatpayError(404, 'ORDER_NOT_EXIST', '订单不存在 (no order of this merchant has that number)')
export const resourceNotExists = (): WechatpayError => new WechatpayError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在 (no refund of this merchant has that number)')
export const orderPaid = (): WechatpayError => new WechatpayError(400, 'ORDERPAID', '订单已支付 (the order is paid)')
export const orderClosed = (): WechatpayError => new WechatpayError(400, 'ORDER_CLOSED', '订单已关闭 (the order is closed)')
export const appidMismatch = (): WechatpayError => new WechatpayError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配 (the appid is not this merchant\'s)')

/** An engine or framework error in WeChat's terms. */
export function toWechatpayError (err: unknown, contentType?: string): WechatpayError {
  if (err instanceof WechatpayError) return err
  const perr = err instanceof PaylabError ? err : toPaylabError(err as FastifyError, contentType)
  const field = typeof perr.details.field === 'string' ? perr.details.field : undefined
  switch (perr.code) {
    case 'PAYLAB_SIMULATED_FAULT':
      return perr.statusCode === 429
        ? new WechatpayError(429, 'FREQUENCY_LIMITED', '频率超限 (simulated: too many requests)')
        : new WechatpayError(perr.statusCode, 'SYSTEM_ERROR', `系统异常，请用相同参数重新调用 (simulated HTTP ${perr.statusCode})`)
    case 'PAYLAB_PAYMENT_NOT_FOUND': return orderNotExist()
    case 'PAYLAB_REFUND_NOT_FOUND': return resourceNotExists()
    case 'PAYLAB_ORDER_ID_CONFLICT': return invalidRequest('商户订单号重复 (out_trade_no was used with other parameters)')
    case 'PAYLAB_REFUND_ID_CONFLICT': return invalidRequest('商户退款单号重复 (out_refund_no was used for another order or amount)')
    case 'PAYLAB_REFUND_AMOUNT_EXCEEDED': return invalidRequest(`申请退款金额超过订单可退金额 (${perr.message})`)
    case 'PAYLAB_INVALID_STATE_TRANSITION': return invalidRequest(`订单状态不允许此操作 (${perr.message})`)
    case 'PAYLAB_BODY_TOO_LARGE': return new WechatpayError(413, 'PARAM_ERROR', perr.message)
    case 'PAYLAB_INTERNAL': return new WechatpayError(500, 'SYSTEM_ERROR', '系统异常 (unexpected failure)')
  }
  if (perr.statusCode === 401) return signError(perr.message)
  if (perr.statusCode >= 500) return new WechatpayError(perr.statusCode, 'SYSTEM_ERROR', perr.message)
  return paramError(perr.message, field === undefined ? undefined : `/${field.replaceAll('.', '/')}`)
}
