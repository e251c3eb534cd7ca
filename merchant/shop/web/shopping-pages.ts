// The buyer's way to a payment: products, cart, checkout (the payment method is chosen here and
// confirmed on the channel's hosted page, where the card is entered).
import type { Product } from '../catalogue.js'
import { formatAmount } from '../words.js'
import { esc, layout } from './layout.js'
import type { CartLine } from './cart.js'

const HUES = [12, 32, 158, 200, 220, 262, 290, 340]

function thumb (p: Product): string {
  const hue = HUES[Number(p.id.slice(5)) % HUES.length] as number
  const initials = p.name.split(' ').slice(-2).map((w) => w[0]).join('')
  return `<div class="thumb" style="background:linear-gradient(135deg,hsl(${hue} 70% 55%),hsl(${hue + 30} 65% 40%))" aria-hidden="true">${esc(initials)}</div>`
}

export function productsPage (catalogue: Product[], count: number): string {
  const items = catalogue.map((p) => `<li class="product" data-product="${esc(p.id)}">${thumb(p)}
<h2>${esc(p.name)}</h2><p>${esc(p.description)}</p><span class="price">${esc(formatAmount(p.price, p.currency))}</span>
<form method="post" action="/cart"><input type="hidden" name="product_id" value="${esc(p.id)}"><input type="hidden" name="op" value="add">
<button type="submit" class="wide" aria-label="Add ${esc(p.name)} to the cart">Add to cart</button></form></li>`).join('')
  return layout('Products', `<h1>Products</h1><ul class="grid">${items}</ul>`, count)
}

function linesTable (lines: CartLine[], editable: boolean): string {
  const rows = lines.map((l) => `<tr><td>${esc(l.product.name)}</td>
<td class="num">${editable
    ? `<form method="post" action="/cart" class="qty"><input type="hidden" name="product_id" value="${esc(l.product.id)}"><input type="hidden" name="op" value="set">
<label class="muted" for="q-${esc(l.product.id)}">Qty</label> <input id="q-${esc(l.product.id)}" name="quantity" type="number" min="0" max="99" value="${l.quantity}">
<button type="submit" class="plain">Update</button></form>`
    : `× ${l.quantity}`}</td><td class="num">${esc(formatAmount(l.total, l.product.currency))}</td></tr>`).join('')
  return `<table class="lines"><thead><tr><th>Item</th><th class="num">Quantity</th><th class="num">Price</th></tr></thead><tbody>${rows}</tbody></table>`
}

const sum = (lines: CartLine[]): number => lines.reduce((s, l) => s + l.total, 0)
const currencyOf = (lines: CartLine[]): string => lines[0]?.product.currency ?? 'USD'

export function cartPage (lines: CartLine[], count: number): string {
  if (lines.length === 0) {
    return layout('Cart', '<h1>Your cart</h1><div class="panel empty"><p>Your cart is empty.</p><a class="button" href="/">Browse products</a></div>', count)
  }
  return layout('Cart', `<h1>Your cart</h1><div class="panel">${linesTable(lines, true)}
<p class="total"><span>Total</span><span data-total>${esc(formatAmount(sum(lines), currencyOf(lines)))}</span></p>
<p class="muted">Set a quantity to 0 to remove the item.</p>
<div class="actions"><a class="button" href="/checkout">Go to checkout</a><a class="button plain" href="/">Continue shopping</a></div></div>`, count)
}

export const METHODS: ReadonlyArray<{ value: string, label: string, hint: string }> = [
  { value: 'card', label: 'Card', hint: 'Visa, Mastercard, American Express: entered on the payment channel\'s secure page' },
  { value: 'wallet:alipay', label: 'Alipay', hint: 'Approve the payment in your Alipay wallet' },
  { value: 'wallet:wechat_pay', label: 'WeChat Pay', hint: 'Approve the payment in WeChat' },
  { value: 'bank_transfer', label: 'Bank transfer', hint: 'Transfer the amount with the reference shown next' }
]

export function checkoutPage (lines: CartLine[], count: number, chosen = 'card', error?: string): string {
  const total = formatAmount(sum(lines), currencyOf(lines))
  const choices = METHODS.map((m) => `<label class="choice"><input type="radio" name="method" value="${esc(m.value)}"${m.value === chosen ? ' checked' : ''}>
<span><strong>${esc(m.label)}</strong><small>${esc(m.hint)}</small></span></label>`).join('')
  const alert = error === undefined ? '' : `<p class="alert" role="alert">${esc(error)}</p>`
  return layout('Checkout', `<h1>Checkout</h1>${alert}<div class="two">
<form method="post" action="/checkout" class="panel"><fieldset><legend>How would you like to pay?</legend>${choices}</fieldset>
<button type="submit" class="wide" id="pay">Continue to payment · ${esc(total)}</button>
<p class="muted">You will confirm the payment on the payment channel's page, then come back here.</p></form>
<section class="panel" aria-label="Order summary"><h2>Order summary</h2>${linesTable(lines, false)}
<p class="total"><span>Total</span><span data-total>${esc(total)}</span></p><a href="/cart">Change the cart</a></section></div>`, count)
}
