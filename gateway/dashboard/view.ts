// Small pieces every page uses: sending a page, the frame with the request's CSRF token and the
// gateway clock, an error page, and how amounts, times and statuses read.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { PaylabError } from '../engine/errors.js'
import { minorToMajor } from '../engine/money.js'
import { html, type Html } from './html.js'
import { page, shell, type Section } from './layout.js'

export function sendHtml (reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body.text)
}

export function view (request: FastifyRequest, reply: FastifyReply, title: string, section: Section, body: Html, status = 200): FastifyReply {
  const clock = new Date(request.server.engine.clock.now()).toISOString()
  return sendHtml(reply, page({ title, section, csrf: request.dashboardCsrf, clock, body }), status)
}

export function errorPage (err: PaylabError): Html {
  return shell(`Error ${err.statusCode}`, html`<main id="main"><h1>Error ${err.statusCode}</h1>
<p class="alert" role="alert"><code>${err.code}</code>: ${err.message}</p><p><a href="/dashboard/payments">Back to the dashboard</a></p></main>`)
}

/** An error shown above a form that was refused (the form keeps what was typed). */
export const alert = (message: string | undefined): Html =>
  message === undefined ? html`` : html`<p class="alert" role="alert" id="form-error">${message}</p>`

export const money = (amount: number, currency: string): string => {
  try { return `${minorToMajor(amount, currency)} ${currency}` } catch { return `${amount} (minor units) ${currency}` }
}

export const badge = (status: string | number | null): Html =>
  html`<span class="badge" data-status="${String(status)}">${status === null ? '—' : String(status)}</span>`

/** A time as it is stored (ISO), shortened for tables; the full value in the element. */
export const time = (iso: string | null): Html =>
  iso === null ? html`—` : html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`

/** A URL to the same page with other query values (filters, links). */
export function withQuery (path: string, query: Record<string, string | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, v)
  const s = q.toString()
  return s === '' ? path : `${path}?${s}`
}

/** Route options: an HTML page, or what a page's script fetches; neither is part of the API contract (openapi.yaml). */
export const PAGE = { config: { dashboard: 'page' as const, contract: false as const } }
export const DATA = { config: { dashboard: 'data' as const, contract: false as const } }
