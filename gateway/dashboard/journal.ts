// The journal: every request the gateway journaled, newest first, live; one entry's page with
// everything recorded and, for a refused signature, the debugger (signature.ts).
import type { FastifyInstance } from 'fastify'
import type { JournalEntry } from '../engine/journal.js'
import { JOURNAL_ENTRY_NOT_FOUND } from '../engine/errors.js'
import { filters } from './form.js'
import { html, type Html } from './html.js'
import { signatureDebugger } from './signature.js'
import { badge, sendHtml, time, view, withQuery, PAGE, DATA } from './view.js'

const FILTERS = ['merchant_id', 'path', 'channel', 'payment_id'] as const

const row = (e: JournalEntry): Html => html`<tr data-id="${String(e.seq)}"><td><a href="/dashboard/journal/${String(e.seq)}">#${String(e.seq)}</a></td><td>${time(e.time)}</td>
<td>${e.channel ?? 'cashier'}</td><td>${e.merchant_id ?? '—'}</td><td><code>${e.method} ${e.path}</code></td><td>${badge(e.status ?? 'no answer')}</td>
<td>${e.signature === null ? '—' : badge(e.signature.verdict)}</td><td>${e.fault ?? '—'}${e.rule_id === null ? '' : html` <span class="muted">(${e.rule_id})</span>`}</td>
<td>${e.error_code ?? '—'}</td><td class="num">${e.latency_ms === null ? '—' : `${e.latency_ms} ms`}</td></tr>`

export default async function journalRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  const rows = async (query: unknown): Promise<Html> => {
    const f = filters(query, FILTERS)
    const list = (await engine.journal({ ...f, path: f.path === undefined ? undefined : `${f.path}*`, limit: 200 })).reverse()
    return list.length === 0 ? html`<tr><td colspan="10" class="muted">No requests match.</td></tr>` : html`${list.map(row)}`
  }

  app.get('/dashboard/journal', PAGE, async (request, reply) => {
    const f = filters(request.query, FILTERS)
    const found = await rows(request.query)
    return view(request, reply, 'Journal', 'journal', html`
<form class="filters card" method="get" action="/dashboard/journal" role="search" aria-label="Filter the journal">
<div><label for="j-merchant">Merchant id</label><input id="j-merchant" name="merchant_id" value="${f.merchant_id ?? ''}"></div>
<div><label for="j-path">Path starts with</label><input id="j-path" name="path" value="${f.path ?? ''}"></div>
<div><label for="j-channel">Channel profile</label><input id="j-channel" name="channel" value="${f.channel ?? ''}"></div>
<button type="submit">Filter</button> <a href="/dashboard/journal">Clear</a></form>
<p class="muted">Newest first (the newest 200). Open an entry for everything recorded and, for a refused signature, the signature debugger.</p>
<table><caption class="visually-hidden">Journal</caption><thead><tr><th scope="col">Entry</th><th scope="col">Time</th><th scope="col">Channel</th><th scope="col">Merchant</th><th scope="col">Request</th><th scope="col">Status</th><th scope="col">Signature</th><th scope="col">Fault (rule)</th><th scope="col">Error code</th><th scope="col">Latency</th></tr></thead>
<tbody id="journal-rows" data-live="${withQuery('/dashboard/journal/rows', f)}">${found}</tbody></table>`)
  })

  app.get('/dashboard/journal/rows', DATA, async (request, reply) => sendHtml(reply, await rows(request.query)))

  app.get<{ Params: { seq: string } }>('/dashboard/journal/:seq', PAGE, async (request, reply) => {
    const seq = /^\d{1,15}$/.test(request.params.seq) ? Number(request.params.seq) : NaN
    const e = Number.isNaN(seq) ? undefined : await engine.journalEntry(seq)
    if (e === undefined) throw JOURNAL_ENTRY_NOT_FOUND(undefined, { seq: request.params.seq })
    const facts: Array<[string, Html | string]> = [
      ['Time', time(e.time)], ['Request id', e.request_id], ['Channel', e.channel ?? 'cashier'], ['Merchant', e.merchant_id ?? '—'],
      ['Request', `${e.method} ${e.path}${e.query === null ? '' : `?${e.query}`}`], ['Status', badge(e.status ?? 'no answer')],
      ['Latency', e.latency_ms === null ? '—' : `${e.latency_ms} ms`], ['Error code', e.error_code ?? '—'], ['Idempotency', e.idempotency ?? '—'],
      ['Fault applied', e.fault ?? '—'], ['Rule', e.rule_id ?? '—'], ['Outcome', e.outcome ?? '—'], ['Order id', e.merchant_order_id ?? '—'],
      ['Payment', e.payment_id === null ? '—' : html`<a href="/dashboard/payments/${e.payment_id}">${e.payment_id}</a>`]
    ]
    return view(request, reply, `Journal entry #${e.seq}`, 'journal', html`<section class="card"><dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></section>
${signatureDebugger(e)}`)
  })
}
