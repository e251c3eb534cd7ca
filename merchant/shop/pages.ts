// The buyer's pages, server-rendered.
import type { Order } from './orders.js'

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export function orderPage (order: Order): string {
  const items = order.items.map((i) => `<li>${i.quantity} × ${esc(i.name)}</li>`).join('')
  const timeline = order.timeline.map((e) => `<li><time>${esc(e.at)}</time> ${esc(e.text)}</li>`).join('')
  const pay = order.next_action_url === null ? '' : `<p><a href="${esc(order.next_action_url)}">Continue to payment</a></p>`
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Order ${esc(order.id)}</title></head><body><main><h1>Order ${esc(order.id)}</h1>
<p>Status: <strong data-status="${esc(order.status)}">${esc(order.status.replace('_', ' '))}</strong></p>${pay}
<ul>${items}</ul><h2>What happened</h2><ol>${timeline}</ol></main></body></html>`
}
