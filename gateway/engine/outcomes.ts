// Which business outcome a payment gets: by test card for cards, by magic amount for methods
// without one. Pure data and lookups; docs/failures.md documents every entry (a test checks).
import { VALIDATION_FAILED } from './errors.js'

export type Outcome =
  | { kind: 'succeed' }
  | { kind: 'decline', code: DeclineCode }
  | { kind: 'challenge', then: Outcome }
  | { kind: 'processing', then: Outcome }

export const DECLINE_MESSAGES = {
  card_declined: 'The card was declined.',
  insufficient_funds: 'The card has insufficient funds.',
  lost_card: 'The card was reported lost.',
  stolen_card: 'The card was reported stolen.',
  expired_card: 'The card has expired.',
  incorrect_cvc: 'The CVC is incorrect.',
  processing_error: 'The issuer could not process the payment; try again.',
  authentication_failed: 'The buyer failed 3-D Secure authentication.',
  payment_declined: 'The payment was declined by the provider.',
  expired: 'The buyer did not complete the payment in time.'
} as const
export type DeclineCode = keyof typeof DECLINE_MESSAGES

const SUCCEED: Outcome = { kind: 'succeed' }
const decline = (code: DeclineCode): Outcome => ({ kind: 'decline', code })

/** The test cards (numbers integrators already know from the large channels). */
export const TEST_CARDS: Readonly<Record<string, Outcome>> = {
  '4242424242424242': SUCCEED,
  '5555555555554444': SUCCEED,
  '378282246310005': SUCCEED,
  '4000000000000002': decline('card_declined'),
  '4000000000009995': decline('insufficient_funds'),
  '4000000000009987': decline('lost_card'),
  '4000000000009979': decline('stolen_card'),
  '4000000000000069': decline('expired_card'),
  '4000000000000127': decline('incorrect_cvc'),
  '4000000000000119': decline('processing_error'),
  '4000002760003184': { kind: 'challenge', then: SUCCEED },
  '4000008260003178': { kind: 'challenge', then: decline('insufficient_funds') },
  '4000000000003055': { kind: 'processing', then: SUCCEED },
  '4000000000003063': { kind: 'processing', then: decline('processing_error') }
}

/** Any other valid card number succeeds, as in the large channels' sandboxes. */
export function cardOutcome (digits: string): Outcome {
  return TEST_CARDS[digits] ?? SUCCEED
}

/**
 * Magic amounts, in minor units of any currency, for methods without a card number (wallets,
 * bank transfer, /pay). Amounts not listed succeed. Kept in a range no ordinary price uses; the
 * last two digits echo the ISO 8583 response code where there is one. Every decline code has one.
 */
export const MAGIC_AMOUNTS: Readonly<Record<number, Outcome>> = {
  40002: decline('payment_declined'),
  40005: decline('card_declined'),
  40041: decline('lost_card'),
  40043: decline('stolen_card'),
  40051: decline('insufficient_funds'),
  40054: decline('expired_card'),
  40065: decline('authentication_failed'),
  40068: decline('expired'),
  40082: decline('incorrect_cvc'),
  40096: decline('processing_error'),
  40100: { kind: 'processing', then: SUCCEED },
  40101: { kind: 'processing', then: decline('payment_declined') }
}

export function amountOutcome (amount: number): Outcome {
  return MAGIC_AMOUNTS[amount] ?? SUCCEED
}

/**
 * Outcomes as text, for rules and headers: `succeed`, `decline:<code>`, and `challenge` or
 * `processing` optionally followed by `:` and what comes after (default `succeed`), e.g.
 * `challenge:decline:insufficient_funds`.
 */
export function parseOutcome (text: string, field = 'outcome'): Outcome {
  const [head, ...rest] = text.trim().split(':')
  const tail = rest.join(':')
  if (head === 'succeed' && tail === '') return SUCCEED
  if (head === 'decline' && Object.hasOwn(DECLINE_MESSAGES, tail)) return decline(tail as DeclineCode)
  if (head === 'challenge' || head === 'processing') {
    const then = tail === '' ? SUCCEED : parseOutcome(tail, field)
    if (then.kind === 'succeed' || then.kind === 'decline') return { kind: head, then }
  }
  throw VALIDATION_FAILED(`${field}: ${JSON.stringify(text)} is not an outcome; use succeed, decline:<code> (${Object.keys(DECLINE_MESSAGES).join(', ')}), challenge[:…] or processing[:…]`, { field })
}

export function formatOutcome (o: Outcome): string {
  switch (o.kind) {
    case 'succeed': return 'succeed'
    case 'decline': return `decline:${o.code}`
    default: return o.then.kind === 'succeed' ? o.kind : `${o.kind}:${formatOutcome(o.then)}`
  }
}
