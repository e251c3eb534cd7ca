// Amounts are integer minor units everywhere in the engine. Decimal major-unit amounts only
// arrive through /pay, and are converted here from their decimal text, never with float math.
import { AMOUNT_INVALID, CURRENCY_UNSUPPORTED } from './errors.js'

/** ISO 4217 minor-unit exponents of the currencies the sandbox accepts. */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze({
  // exponent 0
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  // exponent 3
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  // exponent 2
  AED: 2, ARS: 2, AUD: 2, BDT: 2, BRL: 2, CAD: 2, CHF: 2, CNY: 2, COP: 2, CZK: 2, DKK: 2, EGP: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 2,
  IDR: 2, ILS: 2, INR: 2, KES: 2, MAD: 2, MXN: 2, MYR: 2, NGN: 2, NOK: 2, NZD: 2, PEN: 2, PHP: 2, PKR: 2, PLN: 2, RON: 2, RUB: 2,
  SAR: 2, SEK: 2, SGD: 2, THB: 2, TRY: 2, TWD: 2, UAH: 2, USD: 2, ZAR: 2
})

/** Largest amount accepted, in minor units: large enough for any sandbox test, far below 2^53. */
export const MAX_AMOUNT = 99_999_999_999

export function currencyExponent (currency: string): number {
  // An own-property check: a plain index would find `__proto__`, `constructor` or `toString` on
  // the prototype and hand an object or a function on as an exponent.
  const exponent = Object.hasOwn(CURRENCY_EXPONENTS, currency) ? CURRENCY_EXPONENTS[currency] : undefined
  if (exponent === undefined) throw CURRENCY_UNSUPPORTED(`currency ${JSON.stringify(currency)} is not supported; use an upper-case ISO 4217 code such as USD, CNY, JPY or KWD`, { field: 'currency' })
  return exponent
}

export function assertAmount (amount: number, field = 'amount'): void {
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > MAX_AMOUNT) {
    throw AMOUNT_INVALID(`${field} must be an integer number of minor units from 1 to ${MAX_AMOUNT}`, { field })
  }
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i

/**
 * Converts a decimal amount in major units, given as its text ("100.00", "1e2"), into minor
 * units of the currency. More decimals than the currency has (beyond trailing zeros) is an error.
 */
export function majorToMinor (text: string, currency: string, field = 'amount'): number {
  const exponent = currencyExponent(currency)
  const m = DECIMAL.exec(text)
  if (m === null) throw AMOUNT_INVALID(`${field} must be a positive decimal number`, { field })
  let digits = (m[1] ?? '') + (m[2] ?? '')
  let scale = (m[2] ?? '').length - Number(m[3] ?? '0') // value = digits × 10^-scale
  while (scale > exponent && digits.endsWith('0')) { digits = digits.slice(0, -1); scale-- }
  if (scale > exponent) {
    throw AMOUNT_INVALID(`${field} has more decimals than ${currency} allows (${exponent})`, { field })
  }
  if (exponent - scale > 15) throw AMOUNT_INVALID(`${field} is too large`, { field })
  const minor = Number(digits + '0'.repeat(exponent - scale))
  assertAmount(minor, field)
  return minor
}

/** Formats minor units as a decimal string of major units ("100.00", "5", "1.250"). */
export function minorToMajor (minor: number, currency: string): string {
  const exponent = currencyExponent(currency)
  if (exponent === 0) return String(minor)
  const s = String(minor).padStart(exponent + 1, '0')
  return `${s.slice(0, -exponent)}.${s.slice(-exponent)}`
}
