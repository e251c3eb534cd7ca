// The signature debugger of a refused request: the string to sign the gateway computed (newlines
// shown), what a correct one looks like for this request, part by part, and which rule the
// request broke. paylab's scheme is docs/protocol.md; another channel's string is shown as is.
import type { JournalEntry } from '../engine/journal.js'
import { html, visibleNewlines, type Html } from './html.js'

/** What each refusal means, in the words of the rule it broke. */
const RULES = new Map<string, { rule: string, fix: string }>([
  ['PAYLAB_TIMESTAMP_OUT_OF_RANGE', { rule: 'Timestamp out of window: Paylab-Timestamp is too far from the gateway clock.', fix: 'Sign with the current unix time in seconds (or GET /admin/clock on a virtual clock); check the client clock.' }],
  ['PAYLAB_REPLAYED_REQUEST', { rule: 'Nonce replayed: this Paylab-Nonce was already used inside the timestamp window.', fix: 'Make a fresh random nonce for every request, retries included.' }],
  ['PAYLAB_SIGNATURE_INVALID', { rule: 'Wrong key, or a different string: the signature does not verify with the merchant’s key over the string below.', fix: 'Compare your string to sign with the one below byte for byte; if they are the same, you signed with another key (an old or another merchant’s secret).' }],
  ['PAYLAB_AUTH_HEADERS_MISSING', { rule: 'Signing headers missing.', fix: 'Send Paylab-Merchant, Paylab-Timestamp, Paylab-Nonce, Paylab-Signature-Type and Paylab-Signature.' }],
  ['PAYLAB_AUTH_HEADER_INVALID', { rule: 'A signing header is malformed (timestamp not whole seconds, nonce not 16–64 of A–Z a–z 0–9 _ -, or an unknown signature type).', fix: 'See docs/protocol.md for each header’s form.' }],
  ['PAYLAB_MERCHANT_UNKNOWN', { rule: 'Unknown merchant: no merchant has the id in Paylab-Merchant.', fix: 'Check the merchant id (Merchants page).' }],
  ['PAYLAB_SIGNATURE_TYPE_UNAVAILABLE', { rule: 'RSA-SHA256 asked for, but the merchant has no RSA public key.', fix: 'Register an RSA public key, or sign with HMAC-SHA256.' }]
])

export const brokenRule = (verdict: string): { rule: string, fix: string } =>
  RULES.get(verdict) ?? { rule: `Refused by the channel profile: ${verdict}.`, fix: 'See the channel’s page in docs/channels/.' }

const PARTS = ['HTTP method, upper case', 'Path with its query string, exactly as sent', 'Paylab-Timestamp (unix seconds)', 'Paylab-Nonce', 'The raw body bytes (empty for a GET)']

/** paylab's string to sign, part by part: from what the gateway computed, or from the entry alone. */
function expected (e: JournalEntry): Html {
  const computed = e.signature?.string_to_sign ?? null
  const lines = computed === null ? null : computed.split('\n')
  const values = lines === null
    ? [e.method, e.path + (e.query === null ? '' : `?${e.query}`), '<Paylab-Timestamp>', '<Paylab-Nonce>', '<raw body>']
    : [...lines.slice(0, 4), lines.slice(4, -1).join('\n')]
  const template = `${values.join('\n')}\n`
  return html`<h3>What a correct string to sign looks like for this request</h3>
<p class="muted">Five parts, each followed by a newline (the body too, so the string ends with <code>\\n</code>); signed with HMAC-SHA256 under the merchant secret (base64), or RSA-SHA256 with the merchant’s key.</p>
<pre id="expected-string">${visibleNewlines(template)}</pre>
<table><caption class="visually-hidden">Parts of the string to sign</caption><thead><tr><th scope="col">Line</th><th scope="col">What goes there</th><th scope="col">In this request</th></tr></thead><tbody>
${PARTS.map((what, i) => html`<tr><td>${String(i + 1)}</td><td>${what}</td><td><code>${values[i] ?? ''}</code></td></tr>`)}</tbody></table>`
}

export function signatureDebugger (e: JournalEntry): Html {
  const sig = e.signature
  if (sig === null) return html`<p class="muted">This request carried no signature the gateway checked.</p>`
  if (sig.verdict === 'valid') return html`<p>Signature ${html`<span class="badge" data-status="valid">valid</span>`}.</p>${sig.string_to_sign === null ? '' : html`<pre>${visibleNewlines(sig.string_to_sign)}</pre>`}`
  const { rule, fix } = brokenRule(sig.verdict)
  return html`<section class="card" aria-labelledby="sig-h" id="signature-debugger"><h2 id="sig-h">Signature debugger</h2>
<p><strong>Rule broken:</strong> <span id="broken-rule">${rule}</span> <code>${sig.verdict}</code></p><p>${fix}</p>
<h3>The string to sign the gateway computed</h3>
${sig.string_to_sign === null
    ? html`<p class="muted" id="computed-string">None: the request was refused before the gateway computed one (the rule above comes first).</p>`
    : html`<pre id="computed-string">${visibleNewlines(sig.string_to_sign)}</pre>`}
${e.channel === 'paylab' ? expected(e) : ''}</section>`
}
