// Rules: the list with hit counts, a form that creates one (checked by the admin API's own schema
// and the engine's RuleBook, so it refuses exactly what POST /admin/rules refuses), delete, and
// reset all of a merchant's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PaylabError, RULE_NOT_FOUND, VALIDATION_FAILED } from '../engine/errors.js'
import type { Rule, RuleInput } from '../engine/rules.js'
import { checkOperationBody } from '../plugins/openapi.js'
import { catalogue } from './catalogue.js'
import { field, filters } from './form.js'
import { html, type Html } from './html.js'
import { csrfField } from './layout.js'
import { alert, time, view, PAGE } from './view.js'

const MATCH_TEXT = ['path', 'merchant_order_id', 'event_type'] as const
const FORM_FIELDS = ['merchant_id', 'effect', 'param', 'method', ...MATCH_TEXT, 'amount', 'times', 'probability', 'seed'] as const
type Form = Partial<Record<typeof FORM_FIELDS[number], string>>

/** Whole numbers as typed; anything else is left as text for the schema to refuse with its message. */
const number = (s: string | undefined): number | string | undefined => s === undefined ? undefined : /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s

/** The JSON body POST /admin/rules would get for this form. */
export function ruleInput (f: Form): RuleInput {
  const [kind, ...rest] = (f.effect ?? '').split(':')
  const name = rest.join(':')
  if (kind !== 'fault' && kind !== 'outcome' && kind !== 'notification') throw VALIDATION_FAILED('choose what the rule does (a fault, an outcome or a notification fault)', { field: 'effect' })
  const value = f.param === undefined ? name : kind === 'outcome' ? `${name}:${f.param}` : `${name};${f.param}`
  const match: Record<string, unknown> = {}
  if (f.method !== undefined) match.method = f.method
  for (const k of MATCH_TEXT) if (f[k] !== undefined) match[k] = f[k]
  if (f.amount !== undefined) match.amount = number(f.amount)
  const input: Record<string, unknown> = { merchant_id: f.merchant_id ?? '', [kind]: value }
  if (Object.keys(match).length > 0) input.match = match
  for (const k of ['times', 'probability', 'seed'] as const) if (f[k] !== undefined) input[k] = number(f[k])
  return input as unknown as RuleInput
}

const effectOf = (r: Rule): string => r.fault !== null ? `fault ${r.fault}` : r.outcome !== null ? `outcome ${r.outcome}` : `notification ${r.notification ?? ''}`
const matchOf = (r: Rule): string => Object.entries(r.match).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ') || 'every request'

function rulesPage (request: FastifyRequest, reply: FastifyReply, opts: { form?: Form, error?: string, status?: number } = {}): FastifyReply {
  const { engine } = request.server
  const csrf = request.dashboardCsrf
  const shown = filters(request.query, ['merchant_id'] as const).merchant_id
  const merchants = engine.listMerchants().data.map((m) => m.id)
  const f = opts.form ?? { merchant_id: shown }
  const rules = engine.rules(shown)
  const choices = catalogue()
  const group = (kind: string, label: string): Html => html`<optgroup label="${label}">${choices.filter((c) => c.kind === kind).map((c) =>
    html`<option value="${`${c.kind}:${c.value}`}"${f.effect === `${c.kind}:${c.value}` ? html` selected` : ''}>${c.value}${c.param === null ? '' : ` (${c.param})`}</option>`)}</optgroup>`
  const input = (name: keyof Form, label: string, hint: string): Html => html`<div class="field"><label for="r-${name}">${label}</label><input id="r-${name}" name="${name}" value="${f[name] ?? ''}" aria-describedby="r-${name}-hint"><p class="hint" id="r-${name}-hint">${hint}</p></div>`
  return view(request, reply, 'Rules', 'rules', html`
<table id="rules"><caption class="visually-hidden">Rules</caption><thead><tr><th scope="col">Rule</th><th scope="col">Merchant</th><th scope="col">Matches</th><th scope="col">Does</th><th scope="col">Times</th><th scope="col">Probability</th><th scope="col">Hits</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>
${rules.length === 0 ? html`<tr><td colspan="9" class="muted">No rules${shown === undefined ? '' : ` for ${shown}`}.</td></tr>` : rules.map((r) => html`<tr data-id="${r.id}"><td><code>${r.id}</code></td><td>${r.merchant_id}</td><td>${matchOf(r)}</td><td>${effectOf(r)}</td>
<td>${r.times === null ? '∞' : String(r.times)}</td><td>${r.probability === null ? '—' : `${r.probability} (seed ${r.seed})`}</td><td class="num" data-hits>${String(r.hits)}</td><td>${time(r.created_at)}</td>
<td><form method="post" action="/dashboard/rules/${r.id}/delete" class="inline" data-enhance>${csrfField(csrf)}<button type="submit" class="danger">Delete <span class="visually-hidden">${r.id}</span></button></form></td></tr>`)}</tbody></table>
<form method="post" action="/dashboard/rules/reset" class="inline-form card" data-enhance>${csrfField(csrf)}
<div><label for="reset-merchant">Reset all rules of</label><select id="reset-merchant" name="merchant_id">${merchants.map((m) => html`<option${m === shown ? html` selected` : ''}>${m}</option>`)}</select></div>
<button type="submit" class="danger">Reset all</button></form>
<h2 id="new-rule">New rule</h2>
<form method="post" action="/dashboard/rules" class="card" data-enhance aria-labelledby="new-rule">${csrfField(csrf)}${alert(opts.error)}
<div class="grid"><div>
<div class="field"><label for="r-merchant">Merchant</label><select id="r-merchant" name="merchant_id">${merchants.map((m) => html`<option${m === f.merchant_id ? html` selected` : ''}>${m}</option>`)}</select></div>
<div class="field"><label for="r-effect">Does</label><select id="r-effect" name="effect" aria-describedby="catalogue-h"><option value="">Choose…</option>${group('fault', 'Transport faults')}${group('outcome', 'Business outcomes (creates)')}${group('notification', 'Notification faults')}</select></div>
${input('param', 'Parameter (optional)', 'The number in brackets above (ms, seconds, copies, a duration such as 10m), or for challenge/processing what follows, e.g. decline:insufficient_funds.')}
<div class="field"><label for="r-method">Method</label><select id="r-method" name="method">${['', 'GET', 'POST', 'PATCH', 'DELETE'].map((m) => html`<option value="${m}"${m === (f.method ?? '') ? html` selected` : ''}>${m === '' ? 'Any' : m}</option>`)}</select></div>
</div><div>
${input('path', 'Path', 'A glob over the path without its query: * any characters, ? one (e.g. /v1/payments).')}
${input('merchant_order_id', 'Order id', 'A glob over the order id of a create (e.g. order-7*).')}
${input('amount', 'Amount (minor units)', 'Creates of exactly this amount.')}
${input('event_type', 'Event type', 'Notification rules: a glob over the event type (e.g. refund.*).')}
</div><div>
${input('times', 'Times', 'How often the rule applies before it is spent; empty for always.')}
${input('probability', 'Probability', 'From 0 to 1: applies at random…')}
${input('seed', 'Seed', '…the same sequence for the same seed.')}
</div></div><button type="submit">Add rule</button></form>
<h2 id="catalogue-h">The catalogue (docs/failures.md)</h2><details><summary>What each effect does</summary><dl class="facts" id="catalogue">
${choices.map((c) => html`<dt><code>${c.value}</code> <span class="muted">${c.kind}</span></dt><dd>${c.description}</dd>`)}</dl></details>`, opts.status)
}

export default async function ruleRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  app.get('/dashboard/rules', PAGE, async (request, reply) => rulesPage(request, reply))

  app.post('/dashboard/rules', PAGE, async (request, reply) => {
    const form: Form = {}
    for (const name of FORM_FIELDS) { const v = field(request.body, name); if (v !== undefined) form[name] = v }
    try {
      const input = ruleInput(form)
      checkOperationBody('POST', '/admin/rules', input)
      await engine.addRule(input)
    } catch (err) {
      if (!(err instanceof PaylabError) || err.statusCode >= 500) throw err
      return rulesPage(request, reply, { form, error: `${err.code}: ${err.message}`, status: err.statusCode })
    }
    return reply.redirect(`/dashboard/rules?merchant_id=${encodeURIComponent(form.merchant_id ?? '')}`, 303)
  })

  app.post<{ Params: { id: string } }>('/dashboard/rules/:id/delete', PAGE, async (request, reply) => {
    if (!await engine.deleteRule(request.params.id)) throw RULE_NOT_FOUND(undefined, { rule_id: request.params.id })
    return reply.redirect('/dashboard/rules', 303)
  })

  app.post('/dashboard/rules/reset', PAGE, async (request, reply) => {
    const merchant = field(request.body, 'merchant_id')
    if (merchant === undefined) throw VALIDATION_FAILED('merchant_id is required', { field: 'merchant_id' })
    await engine.resetRules(merchant)
    return reply.redirect(`/dashboard/rules?merchant_id=${encodeURIComponent(merchant)}`, 303)
  })
}
