// The daily statement a merchant reconciles against: one CSV row per payment created that day
// (UTC), with what was captured and refunded as of now.
import { stringify } from 'csv-stringify/sync'
import type { EngineContext } from './context.js'
import { VALIDATION_FAILED } from './errors.js'
import type { Payment } from './types.js'

export const STATEMENT_COLUMNS = [
  'payment_id', 'merchant_order_id', 'created_at', 'status', 'method', 'currency', 'amount', 'amount_captured', 'amount_refunded', 'failure_code'
] as const

export function statementCsv (ctx: EngineContext, merchantId: string, date: string): string {
  const from = new Date(`${date}T00:00:00.000Z`)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(from.getTime()) || from.toISOString().slice(0, 10) !== date) {
    throw VALIDATION_FAILED('date must be a calendar date YYYY-MM-DD (UTC)', { field: 'date' })
  }
  const to = new Date(from.getTime() + 86_400_000).toISOString()
  const rows = ctx.db.paymentIdsCreatedIn(merchantId, from.toISOString(), to).map((id) => {
    const p = ctx.db.get('payments', id) as Payment
    return [p.id, p.merchant_order_id, p.created_at, p.status, p.method.type, p.currency, p.amount, p.amount_captured, p.amount_refunded, p.failure?.code ?? '']
  })
  return toCsv([[...STATEMENT_COLUMNS], ...rows])
}

/**
 * RFC 4180: CRLF after each row; a field with a comma, quote or line break is quoted. A text cell
 * is guarded against formula injection: merchant_order_id is the merchant's text (a paylab,
 * WeChat Pay or Alipay order id may start with '-', /pay's order_id with anything), and a
 * statement is opened in spreadsheets.
 */
export function toCsv (rows: Array<Array<string | number>>): string {
  // csv-stringify leaves a lone CR or LF bare unless told to quote it.
  return stringify(rows.map((row) => row.map((cell) => typeof cell === 'string' ? guardCell(cell) : cell)), { record_delimiter: 'windows', quoted_match: /[\r\n]/ })
}

/**
 * OWASP's CSV injection defence: a cell starting with = + - @, a tab or a CR, which Excel and its
 * kin would run as a formula, gets a leading single quote (shown as text, the quote hidden). A cell
 * that starts with a quote gets one too, so that a reader can undo the guard exactly: take the
 * first character off a cell that starts with a quote (docs/protocol.md, "The daily statement").
 */
function guardCell (cell: string): string {
  return /^[=+\-@\t\r']/.test(cell) ? `'${cell}` : cell
}
