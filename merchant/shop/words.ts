// What the shop tells people: amounts in major units, and payment facts in plain words, for the
// order timeline and pages that a buyer, a product manager or an auditor reads.
import type { EventType, Payment } from '../sdk/index.js'

const exponents = new Map<string, number>()

/** Minor units as a buyer reads them: 3998 USD → "39.98 USD". */
export function formatAmount (minor: number, currency: string): string {
  let exponent = exponents.get(currency)
  if (exponent === undefined) {
    try {
      exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
    } catch {
      exponent = 2
    }
    exponents.set(currency, exponent)
  }
  if (exponent === 0) return `${minor} ${currency}`
  const s = String(Math.abs(minor)).padStart(exponent + 1, '0')
  return `${minor < 0 ? '-' : ''}${s.slice(0, -exponent)}.${s.slice(-exponent)} ${currency}`
}

export const WALLET_NAMES: Readonly<Record<string, string>> = { alipay: 'Alipay', wechat_pay: 'WeChat Pay', paypal: 'PayPal' }

export function methodWords (method: { type: string, wallet?: { provider: string } | string }): string {
  if (method.type === 'card') return 'card'
  if (method.type === 'bank_transfer') return 'bank transfer'
  const provider = typeof method.wallet === 'string' ? method.wallet : method.wallet?.provider ?? 'wallet'
  return WALLET_NAMES[provider] ?? provider
}

/** Where a payment stands, as a sentence ending: "the payment is …". */
export function paymentWords (payment: Pick<Payment, 'status' | 'failure' | 'cancellation_reason'>): string {
  switch (payment.status) {
    case 'requires_action': return 'waiting for the buyer on the payment page'
    case 'processing': return 'being processed; the result comes later'
    case 'authorized': return 'authorized: the money is reserved, not yet taken'
    case 'succeeded': return 'paid'
    case 'failed': return `declined (${payment.failure?.message ?? 'no reason given'})`
    case 'canceled': return payment.cancellation_reason === 'expired' ? 'closed: the buyer did not finish in time' : 'canceled'
  }
}

const EVENTS: Record<EventType, string> = {
  'payment.succeeded': 'the payment went through',
  'payment.failed': 'the payment was declined',
  'payment.canceled': 'the payment was canceled',
  'payment.expired': 'the payment expired: the buyer did not finish in time',
  'payment.authorized': 'the money is reserved',
  'payment.captured': 'the reserved money was taken',
  'refund.succeeded': 'a refund went through',
  'refund.failed': 'a refund failed'
}

export const eventWords = (type: EventType): string => EVENTS[type] ?? type

/** Why the shop asked the channel, as the start of a timeline sentence. */
export function queryReason (reason: string): string {
  if (reason === 'buyer returned') return 'The buyer came back from the payment page. The shop does not trust the redirect, so it asked the channel'
  if (reason === 'reconciliation') return 'While reconciling with the channel\'s daily statement, the shop asked the channel'
  return `The shop asked the channel (${reason})`
}

const SOURCES: Record<string, string> = {
  answer: 'the channel\'s answer',
  notification: 'the channel\'s notification',
  'buyer returned': 'what the channel said when asked',
  'manual check': 'what the channel said when asked',
  reconciliation: 'the reconciliation',
  capture: 'the channel\'s answer to the capture',
  cancel: 'the channel\'s answer to the cancel'
}

/** Whose word a status change rests on. */
export const sourceWords = (source: string): string => SOURCES[source] ?? source
