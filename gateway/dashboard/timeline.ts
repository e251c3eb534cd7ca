// One payment's page: what it is, then everything that happened to it in order of the gateway
// clock: the requests and their answers, status changes and refunds, and each notification with
// every delivery attempt and a Resend button.
import { channelOf } from '../engine/channels.js'
import type { PaymentTimeline } from '../engine/engine.js'
import type { JournalEntry } from '../engine/journal.js'
import type { Change } from '../engine/history.js'
import type { NotificationEvent } from '../engine/types.js'
import { html, type Html } from './html.js'
import { csrfField } from './layout.js'
import { badge, money, time } from './view.js'

interface Item { at: string, order: number, body: Html }

const request = (e: JournalEntry): Item => ({
  at: e.time,
  order: 0,
  body: html`<li data-kind="request" id="req-${e.seq}"><p><strong>${e.method} ${e.path}${e.query === null ? '' : `?${e.query}`}</strong> → ${badge(e.status ?? 'no answer')} · ${time(e.time)}</p>
<p class="muted">${e.channel ?? 'cashier'} · latency ${e.latency_ms === null ? '—' : `${e.latency_ms} ms`}
${e.signature === null ? '' : html` · signature ${badge(e.signature.verdict)}`}${e.error_code === null ? '' : html` · error <code>${e.error_code}</code>`}
${e.fault === null ? '' : html` · fault applied <code>${e.fault}</code>`}${e.rule_id === null ? '' : html` by rule <code>${e.rule_id}</code>`}${e.outcome === null ? '' : html` · outcome <code>${e.outcome}</code>`}
${e.idempotency === null ? '' : html` · idempotency ${e.idempotency}`} · <a href="/dashboard/journal/${e.seq}">journal entry #${e.seq}</a></p></li>`
})

const change = (c: Change): Item => ({
  at: c.time,
  order: 1,
  body: c.kind === 'status'
    ? html`<li data-kind="change"><p>Status ${badge(c.from)} → ${badge(c.to)} · ${time(c.time)}</p></li>`
    : html`<li data-kind="change"><p>Refund <code>${c.refund?.id}</code> of ${String(c.refund?.amount)} (minor units): ${badge(c.refund?.status ?? null)} · ${time(c.time)}</p></li>`
})

function notification (e: NotificationEvent, csrf: string | null): Item {
  const attempts = e.attempts.length === 0
    ? html`<p class="muted">No attempt yet${e.next_attempt_at === null ? '' : html` (first at ${time(e.next_attempt_at)})`}.</p>`
    : html`<table class="attempts"><caption class="visually-hidden">Delivery attempts of ${e.id}</caption><thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">URL</th><th scope="col">Status</th><th scope="col">Answer</th><th scope="col">Fault</th><th scope="col">Next retry</th></tr></thead><tbody>
${e.attempts.map((a) => html`<tr data-attempt="${a.attempt}"><td>${a.attempt}</td><td>${time(a.at)}</td><td>${a.url}</td><td>${badge(a.status_code ?? 'none')} ${a.error === null ? '' : html`<span class="muted">${a.error}</span>`} <span class="muted">${a.latency_ms} ms</span></td>
<td>${a.answer === undefined || a.answer === null || a.answer === '' ? html`<span class="muted">—</span>` : html`<code>${a.answer}</code>`}</td><td>${a.fault ?? '—'}</td><td>${time(a.next_attempt_at)}</td></tr>`)}</tbody></table>`
  return {
    at: e.created,
    order: 2,
    body: html`<li data-kind="notification" id="${e.id}"><p><strong>Notification ${e.type}</strong> <code>${e.id}</code> ${badge(e.status)} · ${time(e.created)}
${e.fault === null ? '' : html` · fault <code>${e.fault}</code>`}${e.next_attempt_at === null ? '' : html` · next attempt ${time(e.next_attempt_at)}`}</p>
${attempts}
<form method="post" action="/dashboard/events/${e.id}/resend" class="inline" data-enhance>${csrfField(csrf)}<button type="submit" class="secondary">Resend ${e.type}</button></form></li>`
  }
}

export function timelineView (t: PaymentTimeline, csrf: string | null): Html {
  const p = t.payment
  const items: Item[] = [
    { at: p.created_at, order: -1, body: html`<li data-kind="change"><p>Created · ${time(p.created_at)}</p></li>` },
    ...t.requests.map(request), ...t.changes.map(change), ...t.events.map((e) => notification(e, csrf))
  ]
  items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.order - b.order)
  const metadata = Object.entries(p.metadata)
  return html`<div class="grid"><section class="card" aria-labelledby="facts-h"><h2 id="facts-h">Payment</h2><dl class="facts">
<dt>Status</dt><dd>${badge(p.status)}${p.failure === null ? '' : html` <code>${p.failure.code}</code> ${p.failure.message}`}</dd>
<dt>Merchant</dt><dd>${p.merchant_id}</dd><dt>Order id</dt><dd>${p.merchant_order_id}</dd>
<dt>Amount</dt><dd>${money(p.amount, p.currency)} (captured ${String(p.amount_captured)}, refunded ${String(p.amount_refunded)})</dd>
<dt>Method</dt><dd>${p.method.type}${p.method.card === undefined ? '' : ` ${p.method.card.brand} ····${p.method.card.last4}`}${p.method.wallet === undefined ? '' : ` ${p.method.wallet.provider}`}</dd>
<dt>Channel</dt><dd>${channelOf(p)}</dd><dt>Description</dt><dd id="description">${p.description ?? '—'}</dd>
<dt>Created</dt><dd>${time(p.created_at)}</dd><dt>Expires</dt><dd>${time(p.expires_at)}</dd></dl></section>
<section class="card" aria-labelledby="meta-h"><h2 id="meta-h">Metadata</h2>${metadata.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<dl class="facts" id="metadata">${metadata.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`}
<h2>Refunds</h2>${t.refunds.length === 0 ? html`<p class="muted">None.</p>` : html`<ul>${t.refunds.map((r) => html`<li><code>${r.id}</code> ${money(r.amount, r.currency)} ${badge(r.status)} ${r.reason ?? ''}</li>`)}</ul>`}</section></div>
<h2 id="timeline-h">Timeline</h2><ol class="timeline" id="timeline" aria-labelledby="timeline-h">${items.map((i) => i.body)}</ol>`
}
