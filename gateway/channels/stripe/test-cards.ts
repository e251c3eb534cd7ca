// Stripe's test payment methods: the `pm_card_…` tokens and the card numbers behind them, with
// the outcome Stripe gives each (https://docs.stripe.com/testing). Any other valid number
// succeeds, as in Stripe's test mode. A PaymentMethod made from a number keeps no number: its id
// carries brand, last4, expiry, fingerprint and outcome, so paylab stores nothing for it.
import type { Outcome } from '../../engine/outcomes.js'
import { formatOutcome, parseOutcome } from '../../engine/outcomes.js'
import type { CardDetails } from '../../engine/types.js'

const SUCCEED: Outcome = { kind: 'succeed' }
const decline = (code: 'card_declined' | 'insufficient_funds' | 'lost_card' | 'stolen_card' | 'expired_card' | 'incorrect_cvc' | 'processing_error'): Outcome => ({ kind: 'decline', code })
const challenge = (then: Outcome = SUCCEED): Outcome => ({ kind: 'challenge', then })

interface TestCard { number: string, outcome: Outcome }

export const TEST_TOKENS: ReadonlyMap<string, TestCard> = new Map([
  ['pm_card_visa', { number: '4242424242424242', outcome: SUCCEED }],
  ['pm_card_visa_debit', { number: '4000056655665556', outcome: SUCCEED }],
  ['pm_card_mastercard', { number: '5555555555554444', outcome: SUCCEED }],
  ['pm_card_amex', { number: '378282246310005', outcome: SUCCEED }],
  ['pm_card_discover', { number: '6011111111111117', outcome: SUCCEED }],
  ['pm_card_chargeDeclined', { number: '4000000000000002', outcome: decline('card_declined') }],
  ['pm_card_chargeDeclinedInsufficientFunds', { number: '4000000000009995', outcome: decline('insufficient_funds') }],
  ['pm_card_chargeDeclinedLostCard', { number: '4000000000009987', outcome: decline('lost_card') }],
  ['pm_card_chargeDeclinedStolenCard', { number: '4000000000009979', outcome: decline('stolen_card') }],
  ['pm_card_chargeDeclinedExpiredCard', { number: '4000000000000069', outcome: decline('expired_card') }],
  ['pm_card_chargeDeclinedIncorrectCvc', { number: '4000000000000127', outcome: decline('incorrect_cvc') }],
  ['pm_card_chargeDeclinedProcessingError', { number: '4000000000000119', outcome: decline('processing_error') }],
  ['pm_card_authenticationRequired', { number: '4000002760003184', outcome: challenge() }],
  ['pm_card_authenticationRequiredOnSetup', { number: '4000002500003155', outcome: challenge() }],
  ['pm_card_authenticationRequiredChargeDeclinedInsufficientFunds', { number: '4000008260003178', outcome: challenge(decline('insufficient_funds')) }],
  ['pm_card_threeDSecure2Required', { number: '4000000000003220', outcome: challenge() }],
  ['pm_card_threeDSecureRequired', { number: '4000000000003063', outcome: challenge() }],
  ['pm_card_threeDSecureOptional', { number: '4000000000003055', outcome: SUCCEED }]
])

const BY_NUMBER: ReadonlyMap<string, Outcome> = new Map([...TEST_TOKENS.values()].map((c) => [c.number, c.outcome]))

/** The outcome Stripe's test mode gives a card number (digits only). */
export function outcomeOfNumber (digits: string): Outcome {
  return BY_NUMBER.get(digits) ?? SUCCEED
}

export interface ResolvedMethod { id: string, card: CardDetails, outcome: Outcome }

const BRANDS = new Set(['visa', 'mastercard', 'amex', 'discover', 'jcb', 'unionpay', 'diners', 'unknown'])

/** The id of a PaymentMethod made from a card number: everything but the number. */
export function encodeMethodId (card: CardDetails, outcome: Outcome): string {
  const parts = [card.brand, card.last4, String(card.exp_month), String(card.exp_year), card.fingerprint, formatOutcome(outcome)]
  return `pm_${Buffer.from(parts.join('|')).toString('base64url')}`
}

/** The card and outcome an id made by encodeMethodId carries, or undefined for any other id. */
export function decodeMethodId (id: string): ResolvedMethod | undefined {
  if (!/^pm_[A-Za-z0-9_-]{20,200}$/.test(id)) return undefined
  const parts = Buffer.from(id.slice(3), 'base64url').toString('utf8').split('|')
  if (parts.length !== 6) return undefined
  const [brand = '', last4 = '', month = '', year = '', fingerprint = '', outcome = ''] = parts
  if (!BRANDS.has(brand) || !/^\d{4}$/.test(last4) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year) || !/^[A-Za-z0-9_-]{16}$/.test(fingerprint)) return undefined
  try {
    return { id, card: { brand, last4, exp_month: Number(month), exp_year: Number(year), fingerprint }, outcome: parseOutcome(outcome) }
  } catch {
    return undefined
  }
}
