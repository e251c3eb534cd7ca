// The buyer's cart, kept in a cookie (product id and quantity only: prices always come from the
// catalogue on the server, so an edited cookie cannot change what anything costs).
import type { Product } from '../catalogue.js'

export const CART_COOKIE = 'shop_cart'
const MAX_QUANTITY = 99

export type Cart = Map<string, number>

export function readCart (cookieHeader: string | undefined, catalogue: Product[]): Cart {
  const cart: Cart = new Map()
  const raw = (cookieHeader ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${CART_COOKIE}=`))
  for (const part of (raw?.slice(CART_COOKIE.length + 1) ?? '').split('.')) {
    const m = /^(prod_[0-9]{3})-([0-9]{1,2})$/.exec(part)
    if (m === null) continue
    const quantity = Number(m[2])
    if (quantity > 0 && catalogue.some((p) => p.id === m[1])) cart.set(m[1] as string, quantity)
  }
  return cart
}

export function cartCookie (cart: Cart): string {
  const value = [...cart].map(([id, n]) => `${id}-${n}`).join('.')
  return `${CART_COOKIE}=${value}; Path=/; SameSite=Lax; HttpOnly; Max-Age=${value === '' ? 0 : 7 * 86400}`
}

/** add: one more (or `quantity` more); set: exactly `quantity` (0 removes). */
export function changeCart (cart: Cart, productId: string, op: 'add' | 'set', quantity: number): Cart {
  const n = Number.isInteger(quantity) ? quantity : 1
  const next = new Map(cart)
  const wanted = Math.min(MAX_QUANTITY, Math.max(0, op === 'add' ? (cart.get(productId) ?? 0) + Math.max(1, n) : n))
  if (wanted === 0) next.delete(productId)
  else next.set(productId, wanted)
  return next
}

export interface CartLine { product: Product, quantity: number, total: number }

export function cartLines (cart: Cart, catalogue: Product[]): CartLine[] {
  const lines: CartLine[] = []
  for (const [id, quantity] of cart) {
    const product = catalogue.find((p) => p.id === id)
    if (product !== undefined) lines.push({ product, quantity, total: product.price * quantity })
  }
  return lines
}

export const cartCount = (cart: Cart): number => [...cart.values()].reduce((a, b) => a + b, 0)
