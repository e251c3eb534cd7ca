// Alipay's error format. OpenAPI v2 answers every error with HTTP 200 and a signed
// `{code, msg, sub_code, sub_msg}` (10000 is success); v3 answers 4xx/5xx with `{code, message}`.
// paylab's error codes (gateway/engine/errors.ts) are mapped to Alipay's sub codes here.
import { PaylabError } from '../../engine/errors.js'

/** Alipay's public codes and their messages. */
export const CODES = {
  '10000': 'Success',
  '10003': 'Order success pay inprocess',
  '20000': 'Service Currently Unavailable',
  '40001': 'Missing Required Arguments',
  '40002': 'Invalid Arguments',
  '40004': 'Business Failed',
  '40006': 'Insufficient Permissions'
} as const
export type AlipayCode = keyof typeof CODES

/** The public code of a sub code: isv.missing-… 40001, other isv.… 40002, isp.… and aop.… 20000, ACQ.… 40004. */
function codeOf (subCode: string): AlipayCode {
  if (subCode === 'isp.bill_not_exist') return '40004'
  if (subCode.startsWith('isv.missing-')) return '40001'
  if (subCode.startsWith('isv.')) return '40002'
  if (subCode.startsWith('isp.') || subCode.startsWith('aop.') || subCode === 'ACQ.SYSTEM_ERROR') return '20000'
  return '40004'
}

export class AlipayError extends Error {
  readonly code: AlipayCode
  readonly subCode: string
  /** v3's HTTP status. */
  readonly statusCode: number

  constructor (subCode: string, message: string, statusCode?: number) {
    super(message)
    this.name = 'AlipayError'
    this.subCode = subCode
    this.code = codeOf(subCode)
    this.statusCode = statusCode ?? (this.code === '20000' ? 500 : subCode.startsWith('isv.') && /signature|app-id|timestamp|nonce|auth/.test(subCode) ? 401 : 400)
  }

  /** The v2 inner object. */
  toV2 (): { code: string, msg: string, sub_code: string, sub_msg: string } {
    return { code: this.code, msg: CODES[this.code], sub_code: this.subCode, sub_msg: this.message }
  }

  /** The v3 error body: Alipay's v3 codes drop the ACQ. / isv. prefixes. */
  toV3 (): { code: string, message: string } {
    return { code: this.subCode.replace(/^(ACQ|isv|isp|aop)\./, ''), message: this.message }
  }
}

/** paylab's codes as Alipay's sub codes (unlisted 4xx codes: ACQ.INVALID_PARAMETER). */
const SUB_CODES: ReadonlyMap<string, string> = new Map([
  ['PAYLAB_PAYMENT_NOT_FOUND', 'ACQ.TRADE_NOT_EXIST'],
  ['PAYLAB_REFUND_NOT_FOUND', 'ACQ.TRADE_NOT_EXIST'],
  ['PAYLAB_PAYMENT_ALREADY_SUCCEEDED', 'ACQ.TRADE_HAS_SUCCESS'],
  ['PAYLAB_INVALID_STATE_TRANSITION', 'ACQ.TRADE_STATUS_ERROR'],
  ['PAYLAB_REFUND_AMOUNT_EXCEEDED', 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL'],
  ['PAYLAB_REFUND_ID_CONFLICT', 'ACQ.DISCORDANT_REPEAT_REQUEST'],
  ['PAYLAB_ORDER_ID_CONFLICT', 'ACQ.CONTEXT_INCONSISTENT'],
  ['PAYLAB_NOTIFY_URL_NOT_ALLOWED', 'isv.invalid-notify-url'],
  ['PAYLAB_BODY_TOO_LARGE', 'isv.invalid-parameter'],
  ['PAYLAB_UNSUPPORTED_MEDIA_TYPE', 'isv.invalid-content-type'],
  ['PAYLAB_ROUTE_NOT_FOUND', 'isv.invalid-method']
])

/** Any error thrown while serving an Alipay request, as Alipay would state it. */
export function asAlipayError (err: unknown): AlipayError {
  if (err instanceof AlipayError) return err
  if (err instanceof PaylabError && err.statusCode < 500) {
    return new AlipayError(SUB_CODES.get(err.code) ?? 'ACQ.INVALID_PARAMETER', err.message)
  }
  if (err instanceof PaylabError && err.code === 'PAYLAB_SIMULATED_FAULT') return new AlipayError('ACQ.SYSTEM_ERROR', err.message, err.statusCode)
  const status = (err as { statusCode?: unknown }).statusCode
  // Fastify's own 4xx (a body it could not parse): the caller's fault, not a system error.
  if (status === 415) return new AlipayError('isv.invalid-content-type', 'send the parameters as application/x-www-form-urlencoded (v2) or application/json (v3)', 415)
  if (typeof status === 'number' && status >= 400 && status < 500) return new AlipayError('isv.invalid-parameter', (err as Error).message, status)
  return new AlipayError('isp.unknow-error', 'internal error', 500)
}
