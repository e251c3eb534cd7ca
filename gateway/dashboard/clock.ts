// The clock: the gateway's time and, on a virtual clock, buttons that move it forward and a
// list of what fired on the way (expiries, pending payments resolved, notification attempts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { parseDuration } from '../engine/duration.js'
import type { FiredTask } from '../engine/engine.js'
import { field } from './form.js'
import { html, type Html } from './html.js'
import { csrfField } from './layout.js'
import { alert, time, view, PAGE } from './view.js'
import { PaylabError } from '../engine/errors.js'

const STEPS = ['15m', '1h', '1d'] as const
const WHAT: Record<FiredTask['kind'], string> = {
  'payment.expire': 'payment expiry',
  'payment.resolve': 'processing payment resolved',
  'event.deliver': 'notification attempt:'
}

function clockPage (request: FastifyRequest, reply: FastifyReply, fired?: { by: string, tasks: FiredTask[] }, error?: string): FastifyReply {
  const { engine } = request.server
  const link = (t: FiredTask): Html => {
    if (t.kind !== 'event.deliver') return html`<a href="/dashboard/payments/${t.ref}">${t.ref}</a>`
    const event = engine.findEvent(t.ref)
    return event === undefined
      ? html`<code>${t.ref}</code>`
      : html`${event.type} <a href="/dashboard/payments/${event.payment_id}#${event.id}">${event.payment_id}</a> <span class="muted">(${event.id})</span>`
  }
  const c = engine.clockState()
  const csrf = request.dashboardCsrf
  const result = fired === undefined
    ? html``
    : html`<section class="card" aria-labelledby="fired-h" data-focus><h2 id="fired-h">Advanced by ${fired.by}: ${String(fired.tasks.length)} task${fired.tasks.length === 1 ? '' : 's'} fired</h2>
${fired.tasks.length === 0 ? html`<p class="muted">Nothing was due.</p>` : html`<ol id="fired">${fired.tasks.map((t) => html`<li data-kind="${t.kind}">${time(t.at)}: ${WHAT[t.kind]} ${link(t)}</li>`)}</ol>`}</section>`
  const controls = c.mode !== 'virtual'
    ? html`<p class="notice">This gateway runs on the real clock. Start it with <code>--clock virtual</code> to move time by hand.</p>`
    // The custom duration has a form of its own: Enter in its field submits that form's only
    // button (in one form with the steps, Enter pressed the first step, 15m, whatever was typed).
    : html`<div class="card inline-form"><form method="post" action="/dashboard/clock/advance" data-enhance aria-label="Advance the clock by a step">${csrfField(csrf)}
<div class="actions">${STEPS.map((s) => html`<button type="submit" name="by" value="${s}">Advance ${s}</button>`)}</div></form>
<form method="post" action="/dashboard/clock/advance" class="inline-form" data-enhance aria-label="Advance the clock by a custom duration" id="custom-form">${csrfField(csrf)}<input type="hidden" name="by" value="custom">
<div><label for="custom">Custom duration</label><input id="custom" name="custom" placeholder="e.g. 90s, 45m, 2h" aria-describedby="custom-hint"><p class="hint" id="custom-hint">A number and s, m, h or d.</p></div>
<button type="submit" class="secondary">Advance by custom</button></form></div>`
  return view(request, reply, 'Clock', 'clock', html`${alert(error)}${result}<section class="card"><dl class="facts">
<dt>Mode</dt><dd id="clock-mode">${c.mode}</dd><dt>Now</dt><dd id="clock-now">${time(c.now)}</dd><dt>Next task due</dt><dd>${time(c.next_due)}</dd></dl></section>${controls}
<p class="muted">Signatures stay on real time under a virtual clock, so merchants keep signing with their ordinary clock.</p>`, error === undefined ? 200 : 400)
}

export default async function clockRoutes (app: FastifyInstance): Promise<void> {
  app.get('/dashboard/clock', PAGE, async (request, reply) => clockPage(request, reply))

  app.post('/dashboard/clock/advance', PAGE, async (request, reply) => {
    const by = field(request.body, 'by') ?? 'custom'
    const text = by === 'custom' ? field(request.body, 'custom') ?? '' : by
    let fired: FiredTask[]
    try {
      ;({ fired } = await app.engine.advanceClock(parseDuration(text, by === 'custom' ? 'custom' : 'by')))
    } catch (err) {
      if (!(err instanceof PaylabError) || err.statusCode >= 500) throw err
      return clockPage(request, reply, undefined, `${err.code}: ${err.message}`)
    }
    return clockPage(request, reply, { by: text, tasks: fired })
  })
}
