// The hosted pages a buyer is sent to by `next_action`: 3-D Secure challenge, wallet approval,
// bank transfer instructions. Plain server-rendered HTML; the outcome is decided by the engine.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { PAYMENT_NOT_FOUND } from '../engine/errors.js'
import type { BuyerAction } from '../engine/lifecycle.js'
import { minorToMajor } from '../engine/money.js'
import type { Payment } from '../engine/types.js'

/** The 3-D Secure code that passes the challenge; any other code fails it. */
export const THREE_DS_CODE = '123456'

interface CashierForm { action?: 'pass' | 'fail' | 'cancel', code?: string }

export default async function cashierRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  // Browsers post forms; only these pages accept them (the API stays JSON-only).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })

  app.get<{ Params: { id: string } }>('/cashier/:id', async (request, reply) => {
    const payment = find(request.params.id)
    return html(reply, page(payment, engine.pendingAction(payment.id)?.kind))
  })

  app.post<{ Params: { id: string }, Body: CashierForm }>('/cashier/:id', async (request, reply) => {
    const payment = find(request.params.id)
    const kind = engine.pendingAction(payment.id)?.kind
    const action: BuyerAction = kind === 'three_d_secure' && request.body.action !== 'cancel'
      ? (request.body.code === THREE_DS_CODE ? 'pass' : 'fail')
      : request.body.action ?? 'cancel'
    const after = await engine.completeAction(payment.id, action)
    if (after.return_url !== null) {
      const url = new URL(after.return_url)
      url.searchParams.set('payment_id', after.id)
      url.searchParams.set('merchant_order_id', after.merchant_order_id)
      return reply.code(303).header('location', url.toString()).send()
    }
    return html(reply, page(after, undefined))
  })

  function find (id: string): Payment {
    const payment = engine.findPayment(id)
    if (payment === undefined) throw PAYMENT_NOT_FOUND(undefined, { payment_id: id })
    return payment
  }

  function page (p: Payment, kind: string | undefined): string {
    const merchant = engine.merchant(p.merchant_id).name
    const amount = `${minorToMajor(p.amount, p.currency)} ${p.currency}`
    let body: string
    if (p.status !== 'requires_action' || kind === undefined) {
      body = `<p>This payment is <strong>${esc(p.status)}</strong>.</p>`
    } else if (kind === 'three_d_secure') {
      body = `<h2>3-D Secure</h2><p>Your bank asks you to confirm this payment. (Sandbox: the code <code>${THREE_DS_CODE}</code> passes; any other fails.)</p>
<form method="post"><label for="code">Verification code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Verify</button></form>
<form method="post"><input type="hidden" name="action" value="cancel"><button type="submit">Cancel</button></form>`
    } else {
      const title = kind === 'wallet' ? `Pay with ${esc(p.method.wallet?.provider ?? 'wallet')}` : 'Bank transfer'
      const yes = kind === 'wallet' ? 'Approve' : 'I have made the transfer'
      body = `<h2>${title}</h2>
<form method="post"><button name="action" value="pass">${yes}</button><button name="action" value="fail">Decline</button><button name="action" value="cancel">Cancel</button></form>`
    }
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>paylab cashier</title></head><body><main><h1>${esc(merchant)}</h1><p>Order ${esc(p.merchant_order_id)} · <strong>${esc(amount)}</strong></p>${body}</main></body></html>`
  }
}

function html (reply: FastifyReply, text: string): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(text)
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
