// The order page: its state, kept live by polling a small JSON view, and its timeline in plain
// words (request sent, answer verified, notification verified, state changes).
import type { Order, OrderStatus } from '../orders.js'
import { formatAmount } from '../words.js'
import { esc, layout } from './layout.js'

const LABELS: Record<OrderStatus, string> = {
  created: 'Created',
  pending_payment: 'Waiting for payment',
  paid: 'Paid',
  payment_failed: 'Payment failed',
  closed: 'Closed',
  partially_refunded: 'Partly refunded',
  refunded: 'Refunded'
}

const EXPLAIN: Record<OrderStatus, string> = {
  created: 'The order is being sent to the payment channel.',
  pending_payment: 'The payment is not finished yet. This page updates by itself.',
  paid: 'Thank you! The payment channel confirmed the payment.',
  payment_failed: 'The payment did not go through. Nothing was charged.',
  closed: 'The order was closed without a payment. Nothing was charged.',
  partially_refunded: 'Part of the payment was refunded.',
  refunded: 'The payment was refunded.'
}

/** What the page polls: small, and only what the buyer sees. */
export function liveView (order: Order): Record<string, unknown> {
  return {
    id: order.id,
    status: order.status,
    label: LABELS[order.status],
    explain: EXPLAIN[order.status],
    failure: order.failure?.message ?? null,
    next_action_url: order.next_action_url,
    timeline: order.timeline.map((e) => ({ at: e.at, kind: e.kind, text: e.text }))
  }
}

/** A failed or closed order can be tried again: its items go back into the cart. */
const again = (order: Order): string =>
  `<form method="post" action="/orders/${esc(order.id)}/again" id="again"${order.status === 'payment_failed' || order.status === 'closed' ? '' : ' hidden'}><button type="submit">Try again</button></form>`

const time = (at: string): string => `<time datetime="${esc(at)}">${esc(at.slice(11, 19))} UTC</time>`

export function orderPage (order: Order, cartCount: number): string {
  const v = liveView(order)
  const items = order.items.map((i) => `<tr><td>${esc(i.name)}</td><td class="num">× ${i.quantity}</td><td class="num">${esc(formatAmount(i.unit_amount * i.quantity, order.currency))}</td></tr>`).join('')
  const timeline = order.timeline.map((e) => `<li class="k-${esc(e.kind)}">${time(e.at)}${esc(e.text)}</li>`).join('')
  const pay = `<p id="continue"${order.next_action_url === null ? ' hidden' : ''}><a class="button" href="${esc(order.next_action_url ?? '#')}">Continue to payment</a></p>`
  return layout(`Order ${order.id}`, `<h1>Order <span class="mono">${esc(order.id)}</span></h1>
<div class="two"><section class="panel" aria-live="polite"><p>Status: <strong class="badge ${esc(order.status)}" id="status" data-status="${esc(order.status)}">${esc(String(v.label))}</strong></p>
<p id="explain">${esc(String(v.explain))}</p><p id="failure" class="alert"${order.failure === null ? ' hidden' : ''}>${esc(order.failure?.message ?? '')}</p>${pay}${again(order)}
<h2>What happened</h2><ol class="timeline" id="timeline">${timeline}</ol></section>
<section class="panel" aria-label="Items"><h2>Items</h2><table class="lines"><tbody>${items}</tbody></table>
<p class="total"><span>Total</span><span>${esc(formatAmount(order.amount, order.currency))}</span></p><a class="button plain" href="/">Back to the shop</a></section></div>
<script>${POLL.replace('ORDER_ID', JSON.stringify(order.id))}</script>`, cartCount)
}

// Polls the order's live view and redraws status and timeline, for as long as anything may
// still change (a notification can arrive after the order is paid), then slower.
const POLL = `(() => {
  const id = ORDER_ID
  let last = document.querySelectorAll('#timeline li').length
  let started = Date.now()
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e }
  async function tick () {
    try {
      const res = await fetch('/orders/' + encodeURIComponent(id) + '/live', { headers: { accept: 'application/json' }, cache: 'no-store' })
      if (res.ok) {
        const v = await res.json()
        const status = document.getElementById('status')
        status.textContent = v.label; status.dataset.status = v.status; status.className = 'badge ' + v.status
        document.getElementById('explain').textContent = v.explain
        const failure = document.getElementById('failure'); failure.hidden = v.failure === null; failure.textContent = v.failure || ''
        const cont = document.getElementById('continue'); cont.hidden = v.next_action_url === null
        if (v.next_action_url !== null) cont.querySelector('a').href = v.next_action_url
        document.getElementById('again').hidden = v.status !== 'payment_failed' && v.status !== 'closed'
        const list = document.getElementById('timeline')
        for (const e of v.timeline.slice(last)) {
          const li = el('li', 'k-' + e.kind); const t = el('time', '', e.at.slice(11, 19) + ' UTC'); t.dateTime = e.at
          li.append(t, e.text); list.append(li)
        }
        last = v.timeline.length
      }
    } catch {}
    const age = Date.now() - started
    if (age < 15 * 60 * 1000) setTimeout(tick, age < 60 * 1000 ? 1000 : 5000)
  }
  setTimeout(tick, 1000)
})()`
