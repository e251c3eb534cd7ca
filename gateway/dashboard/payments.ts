// Payments: the live list with its filters, and one payment's page with its timeline (timeline.ts).
import type { FastifyInstance } from 'fastify'
import { channelOf } from '../engine/channels.js'
import { EVENT_NOT_FOUND, PAYMENT_NOT_FOUND } from '../engine/errors.js'
import type { Payment } from '../engine/types.js'
import { filters } from './form.js'
import { html, type Html } from './html.js'
import { timelineView } from './timeline.js'
import { badge, money, sendHtml, time, view, withQuery, PAGE, DATA } from './view.js'

const FILTERS = ['merchant_id', 'status', 'channel', 'merchant_order_id'] as const
const STATUSES = ['requires_action', 'processing', 'authorized', 'succeeded', 'failed', 'canceled']

export const paymentRow = (p: Payment): Html => html`<tr data-id="${p.id}">
<td><a href="/dashboard/payments/${p.id}">${p.id}</a></td><td>${time(p.created_at)}</td><td>${p.merchant_id}</td>
<td>${p.merchant_order_id}</td><td class="num">${money(p.amount, p.currency)}</td><td>${p.method.type}</td><td>${channelOf(p)}</td><td>${badge(p.status)}</td></tr>`

const options = (values: readonly string[], selected: string | undefined, any: string): Html =>
  html`<option value="">${any}</option>${values.map((v) => html`<option value="${v}"${v === selected ? html` selected` : ''}>${v}</option>`)}`

export default async function paymentRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  const rows = (query: unknown): Html => {
    const list = engine.findPayments({ ...filters(query, FILTERS), limit: 200 })
    return list.length === 0 ? html`<tr><td colspan="8" class="muted">No payments match.</td></tr>` : html`${list.map(paymentRow)}`
  }

  app.get('/dashboard', PAGE, async (_request, reply) => reply.redirect('/dashboard/payments', 303))

  app.get('/dashboard/payments', PAGE, async (request, reply) => {
    const f = filters(request.query, FILTERS)
    const merchants = engine.listMerchants().data.map((m) => m.id)
    const channels = engine.channelNames
    return view(request, reply, 'Payments', 'payments', html`
<form class="filters card" method="get" action="/dashboard/payments" role="search" aria-label="Filter payments">
<div><label for="f-merchant">Merchant</label><select id="f-merchant" name="merchant_id">${options(merchants, f.merchant_id, 'All merchants')}</select></div>
<div><label for="f-status">Status</label><select id="f-status" name="status">${options(STATUSES, f.status, 'Any status')}</select></div>
<div><label for="f-channel">Channel profile</label><select id="f-channel" name="channel">${options(channels, f.channel, 'Any channel')}</select></div>
<div><label for="f-order">Order id (or its start)</label><input id="f-order" name="merchant_order_id" value="${f.merchant_order_id ?? ''}"></div>
<button type="submit">Filter</button> <a href="/dashboard/payments">Clear</a></form>
<p class="muted">Newest first; new payments appear as they are made.</p>
<table><caption class="visually-hidden">Payments</caption><thead><tr><th scope="col">Payment</th><th scope="col">Created</th><th scope="col">Merchant</th><th scope="col">Order id</th><th scope="col">Amount</th><th scope="col">Method</th><th scope="col">Channel</th><th scope="col">Status</th></tr></thead>
<tbody id="payment-rows" data-live="${withQuery('/dashboard/payments/rows', f)}">${rows(request.query)}</tbody></table>`)
  })

  app.get('/dashboard/payments/rows', DATA, async (request, reply) => sendHtml(reply, rows(request.query)))

  app.get<{ Params: { id: string } }>('/dashboard/payments/:id', PAGE, async (request, reply) => {
    const timeline = await engine.timeline(request.params.id)
    if (timeline === undefined) throw PAYMENT_NOT_FOUND(undefined, { payment_id: request.params.id })
    return view(request, reply, `Payment ${timeline.payment.id}`, 'payments', timelineView(timeline, request.dashboardCsrf))
  })

  app.post<{ Params: { id: string } }>('/dashboard/events/:id/resend', PAGE, async (request, reply) => {
    const event = await engine.resendEvent(request.params.id)
    if (event === undefined) throw EVENT_NOT_FOUND(undefined, { event_id: request.params.id })
    return reply.redirect(`/dashboard/payments/${encodeURIComponent(event.payment_id)}#${event.id}`, 303)
  })
}
