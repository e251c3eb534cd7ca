// The hosted cashier's pages: what the buyer sees at next_action, one step at a time. Plain
// server-rendered HTML; the card step's script (card-form.js) checks and encrypts in the page.
import { readFileSync } from 'node:fs'
import type { Payment, PendingAction } from '../engine/types.js'
import { minorToMajor } from '../engine/money.js'
import { CASHIER_CSS } from './style.js'

/** The 3-D Secure code that passes the challenge; any other code fails it. */
export const THREE_DS_CODE = '123456'

const CARD_SCRIPT = readFileSync(new URL('./card-form.js', import.meta.url), 'utf8')

/** Wallets the cashier offers; a payment may name another provider, which is offered too. */
export const WALLETS: ReadonlyMap<string, { name: string }> = new Map([
  ['alipay', { name: 'Alipay' }],
  ['wechat_pay', { name: 'WeChat Pay' }],
  ['paypal', { name: 'PayPal' }]
])

export interface CashierView {
  payment: Payment
  kind: PendingAction['kind'] | undefined
  merchant: string
  key: { id: string, public_key: string }
  /** The gateway clock, so that the page judges card expiry as the gateway will. */
  now: string
  nonce: string
  error?: string
  /** Inline SVG: a QR code of this page's URL, for wallets approved on a phone. */
  qr?: string
}

export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
export const walletName = (provider: string): string => WALLETS.get(provider)?.name ?? provider.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase())
const amountOf = (p: Payment): string => `${minorToMajor(p.amount, p.currency)} ${p.currency}`

export function cashierPage (v: CashierView): string {
  const p = v.payment
  const waiting = p.status === 'requires_action' && v.kind !== undefined
  const alert = v.error === undefined ? '' : `<p class="alert" role="alert" id="page-error">${esc(v.error)}</p>`
  const body = !waiting
    ? resultStep(p, v.merchant)
    : `${v.kind === 'three_d_secure' ? '' : methodChooser(p)}<section class="panel" aria-labelledby="step-title">${alert}${step(v)}</section>`
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pay ${esc(amountOf(p))} to ${esc(v.merchant)} · paylab</title><style nonce="${v.nonce}">${CASHIER_CSS}</style></head>
<body><div class="bar" role="banner"><svg aria-hidden="true" width="14" height="16" viewBox="0 0 14 16"><rect x="1" y="7" width="12" height="9" rx="2" fill="currentColor"/><path d="M4 7V5a3 3 0 0 1 6 0v2" stroke="currentColor" stroke-width="2" fill="none"/></svg><span><strong>paylab</strong> secure checkout · sandbox</span></div>
<main><section class="panel summary" aria-label="Order summary"><div><p class="merchant">${esc(v.merchant)}</p>
<p class="order">Order ${esc(p.merchant_order_id)}</p></div><p class="amount" data-amount>${esc(amountOf(p))}</p></section>
${body}</main></body></html>`
}

function methodChooser (p: Payment): string {
  const options: Array<[string, string]> = [['card', 'Card']]
  const providers = new Set(WALLETS.keys())
  if (p.method.wallet !== undefined) providers.add(p.method.wallet.provider)
  for (const provider of providers) options.push([`wallet:${provider}`, walletName(provider)])
  options.push(['bank_transfer', 'Bank transfer'])
  const current = p.method.type === 'wallet' ? `wallet:${p.method.wallet?.provider ?? ''}` : p.method.type
  const buttons = options.map(([value, label]) =>
    `<button type="submit" name="method" value="${esc(value)}" aria-pressed="${value === current}">${esc(label)}</button>`).join('')
  return `<section class="panel"><form method="post" action="/cashier/${esc(p.id)}/method"><fieldset class="methods">
<legend>Pay with</legend><div class="method-list">${buttons}</div></fieldset></form></section>`
}

function step (v: CashierView): string {
  switch (v.kind) {
    case 'card_entry': return cardStep(v)
    case 'three_d_secure': return threeDsStep(v)
    case 'wallet': return walletStep(v)
    default: return transferStep(v)
  }
}

function cardStep (v: CashierView): string {
  const p = v.payment
  return `<h1 id="step-title">Card details</h1>
<noscript><p class="alert">Card details are encrypted in this page before they are sent: please enable JavaScript.</p></noscript>
<form id="card-form" method="post" action="/cashier/${esc(p.id)}/card" novalidate data-key-id="${esc(v.key.id)}" data-public-key="${esc(v.key.public_key)}" data-now="${esc(v.now)}">
<p class="field-error" id="form-error" role="alert"></p>
<label for="cc-number">Card number <span class="brand-tag" id="cc-brand" aria-live="polite"></span></label>
<input id="cc-number" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" maxlength="23" aria-describedby="cc-number-error" required>
<p class="field-error" id="cc-number-error"></p>
<div class="row"><div><label for="cc-exp">Expiry (MM / YY)</label>
<input id="cc-exp" inputmode="numeric" autocomplete="cc-exp" placeholder="MM / YY" maxlength="7" aria-describedby="cc-exp-error" required>
<p class="field-error" id="cc-exp-error"></p></div>
<div><label for="cc-cvc">Security code (CVC)</label>
<input id="cc-cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="123" maxlength="4" aria-describedby="cc-cvc-error" required>
<p class="field-error" id="cc-cvc-error"></p></div></div>
<label for="cc-name">Name on card <span class="note">(optional)</span></label>
<input id="cc-name" autocomplete="cc-name" maxlength="200">
${['key_id', 'alg', 'encrypted_key', 'iv', 'ciphertext', 'tag'].map((n) => `<input type="hidden" name="${n}">`).join('')}
<div class="actions"><button type="submit" id="pay-button">Pay ${esc(amountOf(p))}</button></div>
<p class="note">Your card details are encrypted in this page with the payment channel's key; the shop never sees them.</p>
</form>${cancelForm(p, v.merchant)}
<details class="sandbox"><summary>Sandbox test cards</summary><table>
<tr><td class="mono">4242 4242 4242 4242</td><td>paid</td></tr>
<tr><td class="mono">4000 0000 0000 0002</td><td>declined</td></tr>
<tr><td class="mono">4000 0000 0000 9995</td><td>insufficient funds</td></tr>
<tr><td class="mono">4000 0027 6000 3184</td><td>asks for 3-D Secure</td></tr>
</table><p>Any future expiry date and any 3 digits as CVC.</p></details>
<script nonce="${v.nonce}">${CARD_SCRIPT}</script>`
}

const BRANDS: Record<string, string> = {
  visa: 'Visa card', mastercard: 'Mastercard', amex: 'American Express card', discover: 'Discover card', jcb: 'JCB card', unionpay: 'UnionPay card', diners: 'Diners Club card'
}

function threeDsStep (v: CashierView): string {
  const p = v.payment
  const card = p.method.card === undefined ? 'your card' : `your ${esc(BRANDS[p.method.card.brand] ?? 'card')} ending in ${esc(p.method.card.last4)}`
  return `<h1 id="step-title">3-D Secure: confirm it is you</h1>
<p>Your bank asks you to confirm this payment of <strong>${esc(amountOf(p))}</strong> to ${esc(v.merchant)} with ${card}.</p>
<form method="post" action="/cashier/${esc(p.id)}"><label for="code">Verification code sent by your bank</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="20" required aria-describedby="code-help">
<p class="note" id="code-help">Sandbox: the code <code>${THREE_DS_CODE}</code> passes; any other code fails.</p>
<div class="actions"><button type="submit">Verify</button></div></form>${cancelForm(p, v.merchant)}`
}

function walletStep (v: CashierView): string {
  const p = v.payment
  const provider = p.method.wallet?.provider ?? 'wallet'
  const name = walletName(provider)
  return `<div class="wallet-head"><span class="wallet-logo wallet-${!WALLETS.has(provider) ? 'other' : esc(provider)}" aria-hidden="true">${esc(name.slice(0, 1))}</span>
<h1 id="step-title">Pay with ${esc(name)}</h1></div>
<p>${esc(name)} asks you to approve a payment of <strong>${esc(amountOf(p))}</strong> to ${esc(v.merchant)}.</p>
${v.qr === undefined ? '' : `<figure class="qr-box">${v.qr}<figcaption>Scan with a phone to approve there (the sandbox's stand-in for the ${esc(name)} app).</figcaption></figure>`}
<form method="post" action="/cashier/${esc(p.id)}"><div class="actions">
<button name="action" value="pass">Approve payment</button>
<button name="action" value="fail" class="danger">Decline</button>
<button name="action" value="cancel" class="secondary">Cancel and return to ${esc(v.merchant)}</button></div></form>`
}

function transferStep (v: CashierView): string {
  const p = v.payment
  return `<h1 id="step-title">Bank transfer</h1>
<p>Transfer <strong>${esc(amountOf(p))}</strong> with these details. The order is paid once the bank confirms the transfer.</p>
<dl class="transfer"><dt>Bank</dt><dd>paylab Sandbox Bank</dd><dt>Account holder</dt><dd>${esc(v.merchant)}</dd>
<dt>IBAN</dt><dd class="mono">XX00 PAYL 0000 0000 0000 00</dd><dt>Reference</dt><dd class="mono">${esc(p.merchant_order_id)}</dd></dl>
<form method="post" action="/cashier/${esc(p.id)}"><div class="actions">
<button name="action" value="pass">I have made the transfer</button>
<button name="action" value="fail" class="danger">Decline (sandbox: the bank refuses it)</button>
<button name="action" value="cancel" class="secondary">Cancel and return to ${esc(v.merchant)}</button></div></form>`
}

function cancelForm (p: Payment, merchant: string): string {
  return `<form method="post" action="/cashier/${esc(p.id)}" class="cancel-link"><input type="hidden" name="action" value="cancel">
<button type="submit" class="secondary">Cancel and return to ${esc(merchant)}</button></form>`
}

const RESULT: Record<string, string> = {
  succeeded: 'The payment went through.',
  authorized: 'The payment is authorized; the merchant will take it.',
  processing: 'The payment is being processed; the merchant will be told the result.',
  failed: 'The payment did not go through.',
  canceled: 'The payment was canceled.',
  requires_action: 'The payment is waiting for you.'
}

/** The status in words, the key word in bold. */
const STATUS_WORDS: Record<string, string> = {
  succeeded: 'This payment has been <strong>paid</strong>.',
  authorized: 'This payment has been <strong>authorized</strong>: nothing is taken until the merchant captures it.',
  processing: 'This payment is <strong>being processed</strong>.',
  failed: 'This payment <strong>failed</strong>: nothing was taken.',
  canceled: 'This payment has been <strong>canceled</strong>: nothing was taken.',
  requires_action: 'This payment is <strong>waiting</strong> for you.'
}

/** The merchant's return_url with the payment and order ids, where the buyer goes back to the shop. */
export function returnUrl (p: Payment): string | null {
  if (p.return_url === null) return null
  const url = new URL(p.return_url)
  url.searchParams.set('payment_id', p.id)
  url.searchParams.set('merchant_order_id', p.merchant_order_id)
  return url.toString()
}

function resultStep (p: Payment, merchant: string): string {
  const why = p.failure === null ? '' : `<p>${esc(p.failure.message)}</p>`
  const back = returnUrl(p)
  const link = back === null ? '' : `<div class="actions"><a class="button" href="${esc(back)}">Return to ${esc(merchant)}</a></div>`
  return `<section class="panel status status-${esc(p.status)}" aria-live="polite" data-status="${esc(p.status)}"><h1>${esc(RESULT[p.status] ?? '')}</h1>
<p>${STATUS_WORDS[p.status] ?? `This payment is <strong>${esc(p.status)}</strong>.`}</p>${why}${link}</section>`
}
