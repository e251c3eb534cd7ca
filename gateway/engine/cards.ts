// Card numbers: validity, brand, and the sandbox's test cards. A number never leaves this
// module except as brand, last4 and a keyed fingerprint.
import { CARD_EXPIRY_INVALID, CARD_NUMBER_INVALID, VALIDATION_FAILED } from './errors.js'
import type { CryptoProvider } from './crypto.js'
import type { CardDetails } from './types.js'

export interface PlainCard {
  number: string
  exp_month: number
  exp_year: number
  cvc: string
  holder?: string
}

export function luhnValid (digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9 }
    sum += d
  }
  return sum % 10 === 0
}

export function cardBrand (digits: string): string {
  if (/^4/.test(digits)) return 'visa'
  if (/^(5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/.test(digits)) return 'mastercard'
  if (/^3[47]/.test(digits)) return 'amex'
  if (/^(6011|65|64[4-9])/.test(digits)) return 'discover'
  if (/^35(2[89]|[3-8]\d)/.test(digits)) return 'jcb'
  if (/^62/.test(digits)) return 'unionpay'
  if (/^3(0[0-5]|[68])/.test(digits)) return 'diners'
  return 'unknown'
}

/** Strips the spaces and dashes people type; anything else that is not a digit is invalid. */
export function normalizeNumber (number: unknown): string {
  if (typeof number !== 'string') throw VALIDATION_FAILED('card.number must be a string of digits', { field: 'card.number' })
  const digits = number.replace(/[\s-]/g, '')
  if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) {
    throw CARD_NUMBER_INVALID(undefined, { field: 'card.number', decline_code: 'incorrect_number' })
  }
  return digits
}

/** Validates a decrypted or plaintext card and reduces it to what the gateway may keep. */
export function describeCard (card: PlainCard, crypto: CryptoProvider, fingerprintSecret: string, nowMs: number): CardDetails & { digits: string } {
  const digits = normalizeNumber(card.number)
  const { exp_month: month, exp_year: year } = card
  if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(year) || year < 2000 || year > 2100) {
    throw CARD_EXPIRY_INVALID('card.exp_month must be 1–12 and card.exp_year a four-digit year', { field: 'card.exp_month' })
  }
  const now = new Date(nowMs)
  if (year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)) {
    throw CARD_EXPIRY_INVALID(`card.exp_year and card.exp_month say the card expired at the end of ${year}-${String(month).padStart(2, '0')}`, { field: 'card.exp_year' })
  }
  if (typeof card.cvc !== 'string' || !/^\d{3,4}$/.test(card.cvc)) {
    throw VALIDATION_FAILED('card.cvc must be 3 or 4 digits', { field: 'card.cvc' })
  }
  return {
    digits,
    brand: cardBrand(digits),
    last4: digits.slice(-4),
    exp_month: month,
    exp_year: year,
    fingerprint: crypto.hmacSha256(fingerprintSecret, digits).toString('base64url').slice(0, 16)
  }
}
