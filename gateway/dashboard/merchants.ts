// Merchants: the list with their channel credentials (as each profile shows them), creating one,
// rotating its secret (the new secret is shown once, on the answer page only), setting channel
// credentials, and the daily statement CSV. Bodies are checked by the admin API's own schemas.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PaylabError, VALIDATION_FAILED } from '../engine/errors.js'
import { checkOperationBody } from '../plugins/openapi.js'
import { field } from './form.js'
import { html } from './html.js'
import { csrfField } from './layout.js'
import { alert, time, view, PAGE, DATA } from './view.js'

interface Shown { title: string, merchant: string, secret?: string | undefined, channels?: unknown }

const json = (v: unknown): string => JSON.stringify(v, null, 2)

function parseChannels (text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined
  try {
    const v = JSON.parse(text) as unknown
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>
  } catch {}
  throw VALIDATION_FAILED('channel credentials must be a JSON object, e.g. {"wechatpay": {}}', { field: 'channels' })
}

function merchantsPage (request: FastifyRequest, reply: FastifyReply, opts: { shown?: Shown, error?: string, status?: number } = {}): FastifyReply {
  const { engine } = request.server
  const csrf = request.dashboardCsrf
  const today = new Date(engine.clock.now()).toISOString().slice(0, 10)
  const s = opts.shown
  const once = s === undefined
    ? html``
    : html`<section class="card" aria-labelledby="once-h" data-focus><h2 id="once-h">${s.title}</h2>
${s.secret === undefined ? '' : html`<p>The HMAC secret of <code>${s.merchant}</code>, shown this once (it is never shown again; rotate it to get a new one):</p><p><code class="secret" id="shown-secret">${s.secret}</code></p>`}
${s.channels === undefined ? '' : html`<p>Channel credentials (keys generated for the merchant are shown this once):</p><pre id="shown-channels">${json(s.channels)}</pre>`}</section>`
  const rows = engine.listMerchants().data.map((m) => html`<tr data-id="${m.id}"><td><code>${m.id}</code></td><td class="merchant-name">${m.name}</td><td>${m.notify_url ?? '—'}</td><td>${m.answer_signature_type}</td><td>${time(m.created_at)}</td>
<td>${'channels' in m && m.channels !== undefined ? html`<details><summary>${Object.keys(m.channels).join(', ')}</summary><pre>${json(m.channels)}</pre></details>` : html`<span class="muted">none</span>`}</td>
<td><div class="actions"><form method="post" action="/dashboard/merchants/${m.id}/rotate-secret" class="inline" data-enhance>${csrfField(csrf)}<button type="submit" class="secondary">Rotate secret <span class="visually-hidden">of ${m.id}</span></button></form>
<form method="get" action="/dashboard/merchants/${m.id}/statement.csv" class="inline"><label class="visually-hidden" for="d-${m.id}">Statement date for ${m.id}</label><input type="date" id="d-${m.id}" name="date" value="${today}" required><button type="submit" class="secondary">Statement CSV</button></form></div>
<details><summary>Set channel credentials</summary><form method="post" action="/dashboard/merchants/${m.id}/channels" data-enhance>${csrfField(csrf)}<label for="c-${m.id}">Credentials per channel profile (JSON)</label><textarea id="c-${m.id}" name="channels">{}</textarea><button type="submit">Save credentials</button></form></details></td></tr>`)
  const channels = engine.channelNames.filter((n) => n !== 'paylab')
  return view(request, reply, 'Merchants', 'merchants', html`${once}${alert(opts.error)}
<table id="merchants"><caption class="visually-hidden">Merchants</caption><thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">notify_url</th><th scope="col">Answers signed</th><th scope="col">Created</th><th scope="col">Channel credentials</th><th scope="col">Actions</th></tr></thead><tbody>${rows}</tbody></table>
<h2 id="new-merchant">New merchant</h2>
<form method="post" action="/dashboard/merchants" class="card" data-enhance aria-labelledby="new-merchant">${csrfField(csrf)}
<div class="grid"><div class="field"><label for="m-id">Id (optional)</label><input id="m-id" name="id" aria-describedby="m-id-hint"><p class="hint" id="m-id-hint">Letters, digits, _ and -; generated when empty.</p></div>
<div class="field"><label for="m-name">Name</label><input id="m-name" name="name"></div>
<div class="field"><label for="m-url">notify_url</label><input id="m-url" name="notify_url" type="url"></div></div>
<div class="field"><label for="m-channels">Channel credentials (JSON, optional)</label><textarea id="m-channels" name="channels" aria-describedby="m-channels-hint"></textarea>
<p class="hint" id="m-channels-hint">Per channel profile (${channels.join(', ')}), as the admin API takes them; docs/channels/ says what each needs.</p></div>
<button type="submit">Create merchant</button></form>`, opts.status)
}

export default async function merchantRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  // A refused form comes back on the page with its reason; other failures are the error page's.
  const guarded = async (request: FastifyRequest, reply: FastifyReply, act: () => Promise<Shown>): Promise<FastifyReply> => {
    try {
      return merchantsPage(request, reply, { shown: await act() })
    } catch (err) {
      if (!(err instanceof PaylabError) || err.statusCode >= 500) throw err
      return merchantsPage(request, reply, { error: `${err.code}: ${err.message}`, status: err.statusCode })
    }
  }

  app.get('/dashboard/merchants', PAGE, async (request, reply) => merchantsPage(request, reply))

  app.post('/dashboard/merchants', PAGE, async (request, reply) => guarded(request, reply, async () => {
    const input: Record<string, unknown> = {}
    for (const name of ['id', 'name', 'notify_url'] as const) { const v = field(request.body, name); if (v !== undefined) input[name] = v }
    const channels = parseChannels(field(request.body, 'channels'))
    if (channels !== undefined) input.channels = channels
    checkOperationBody('POST', '/admin/merchants', input)
    const m = await engine.createMerchant(input)
    return { title: `Merchant ${m.id} created`, merchant: m.id, secret: m.hmac_secret, channels: 'channels' in m ? m.channels : undefined }
  }))

  app.post<{ Params: { id: string } }>('/dashboard/merchants/:id/rotate-secret', PAGE, async (request, reply) => guarded(request, reply, async () => {
    const m = await engine.rotateMerchantSecret(request.params.id)
    return { title: `Secret of ${m.id} rotated`, merchant: m.id, secret: m.hmac_secret }
  }))

  app.post<{ Params: { id: string } }>('/dashboard/merchants/:id/channels', PAGE, async (request, reply) => guarded(request, reply, async () => {
    const channels = parseChannels(field(request.body, 'channels')) ?? {}
    checkOperationBody('PATCH', '/admin/merchants/:id', { channels })
    const m = await engine.updateMerchant(request.params.id, { channels })
    return { title: `Channel credentials of ${m.id} saved`, merchant: m.id, channels: 'channels' in m ? m.channels : undefined }
  }))

  app.get<{ Params: { id: string } }>('/dashboard/merchants/:id/statement.csv', DATA, async (request, reply) => {
    const date = field(request.query, 'date') ?? ''
    engine.merchant(request.params.id)
    const csv = engine.statement(request.params.id, date)
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="statement-${request.params.id}-${date}.csv"`).send(csv)
  })
}

