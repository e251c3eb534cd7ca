// The business parameters of a request (v2's biz_content, v3's JSON body): read by name with
// own-property checks, each checked for type and length, so that client input never indexes a
// plain object and a wrong value is a clear ACQ.INVALID_PARAMETER.
import { AlipayError } from './errors.js'

export class Biz {
  readonly #fields: Record<string, unknown>

  constructor (fields: unknown) {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new AlipayError('isv.invalid-parameter', 'biz_content must be a JSON object')
    this.#fields = fields as Record<string, unknown>
  }

  /** Parses v2's biz_content text (absent: no business parameters). */
  static fromText (text: string | undefined): Biz {
    if (text === undefined || text === '') return new Biz({})
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new AlipayError('isv.invalid-parameter', 'biz_content is not valid JSON')
    }
    return new Biz(parsed)
  }

  optional (name: string, max = 256, pattern?: RegExp): string | undefined {
    if (!Object.hasOwn(this.#fields, name)) return undefined
    const value = this.#fields[name]
    if (value === null || value === '') return undefined
    // Alipay's SDKs send amounts as strings; a number is taken as the text it was written as.
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value
    if (typeof text !== 'string' || text.length > max || (pattern !== undefined && !pattern.test(text))) {
      throw new AlipayError('ACQ.INVALID_PARAMETER', `${name} is not valid${pattern === undefined ? ` (a string of at most ${max} characters)` : ''}`)
    }
    return text
  }

  required (name: string, max = 256, pattern?: RegExp): string {
    const value = this.optional(name, max, pattern)
    if (value === undefined) throw new AlipayError('ACQ.INVALID_PARAMETER', `${name} is required`)
    return value
  }
}

/** Alipay's out_trade_no and out_request_no: up to 64 letters, digits and underscores (and - . :). */
export const MERCHANT_NO = /^[A-Za-z0-9_\-.:]{1,64}$/
