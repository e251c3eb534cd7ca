// The frame of every dashboard page: the document, the navigation, the logout button and the
// session's CSRF token for forms and the page script. Styles and script are files of this
// folder served from /dashboard/assets/ (no CDN, nothing inline, so the CSP can forbid inline).
// The live region (#status) sits outside <main>, which the script swaps after an action: a
// region made anew is not announced.
import { html, type Html } from './html.js'

export const SECTIONS = [
  ['payments', 'Payments'],
  ['journal', 'Journal'],
  ['rules', 'Rules'],
  ['clock', 'Clock'],
  ['merchants', 'Merchants']
] as const
export type Section = typeof SECTIONS[number][0]

export function shell (title: string, body: Html, csrf: string | null = null): Html {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · paylab dashboard</title>${csrf === null ? '' : html`<meta name="csrf-token" content="${csrf}">`}
<link rel="stylesheet" href="/dashboard/assets/dashboard.css"><script src="/dashboard/assets/dashboard.js" defer></script></head>
<body><a class="skip" href="#main">Skip to content</a>${body}</body></html>`
}

/** A hidden field with the session's CSRF token (nothing when the admin token came in a header). */
export const csrfField = (csrf: string | null): Html => csrf === null ? html`` : html`<input type="hidden" name="_csrf" value="${csrf}">`

export function page (opts: { title: string, section: Section, csrf: string | null, clock: string, body: Html }): Html {
  const nav = SECTIONS.map(([id, label]) =>
    html`<li><a href="/dashboard/${id}"${id === opts.section ? html` aria-current="page"` : ''}>${label}</a></li>`)
  return shell(opts.title, html`<header class="top"><p class="brand"><strong>paylab</strong> sandbox dashboard</p>
<nav aria-label="Dashboard"><ul>${nav}</ul></nav>
<p class="clock" title="Gateway clock">Gateway clock: <time id="gateway-clock">${opts.clock}</time></p>
${opts.csrf === null ? '' : html`<form method="post" action="/dashboard/logout" class="logout">${csrfField(opts.csrf)}<button type="submit" class="secondary">Log out</button></form>`}
</header>
<p id="status" class="visually-hidden" role="status" aria-live="polite"></p>
<main id="main" tabindex="-1"><h1>${opts.title}</h1>
${opts.body}</main>`, opts.csrf)
}
