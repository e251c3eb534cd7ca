// The hosted pages a buyer is sent to by `next_action`: the method choice, the card form (the
// card is encrypted in the page), 3-D Secure, wallet approval and bank transfer. The outcome is
// decided by the engine; these routes only show it and carry the buyer's answers to it.
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isoTime } from '../engine/clock.js'
import type { CardEnvelope } from '../engine/envelope.js'
import { INVALID_STATE_TRANSITION, PaylabError, PAYMENT_NOT_FOUND } from '../engine/errors.js'
import type { MethodChoice } from '../engine/hosted.js'
import type { BuyerAction } from '../engine/lifecycle.js'
import type { Payment } from '../engine/types.js'
import { cashierPage, returnUrl, THREE_DS_CODE, walletName } from '../cashier/views.js'
import { qrSvg } from '../cashier/qr.js'
import { channelOf } from '../engine/channels.js'
import { journaled } from '../plugins/journal.js'

export { THREE_DS_CODE }

interface CashierForm { action?: 'pass' | 'fail' | 'cancel', code?: string }
type Params = { Params: { id: string } }

/** What a mistyped or refused card means to the buyer (the engine's messages are for developers). */
const CARD_ERRORS: Record<string, string> = {
  PAYLAB_CARD_NUMBER_INVALID: 'This card number is not valid: check for a mistyped digit.',
  PAYLAB_CARD_EXPIRY_INVALID: 'This card has expired, or its expiry date is not a real month.',
  PAYLAB_CARD_ENCRYPTION_INVALID: 'The card details could not be read. Reload the page and enter them again.',
  PAYLAB_VALIDATION_FAILED: 'The card details are incomplete: check the security code.'
}

export default async function cashierRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  // A buyer's request on the hosted cashier belongs to the payment's merchant (that merchant's
  // journal filter finds it) and to the channel profile the payment was made through.
  await app.register(journaled, {
    channel: null,
    describe: (request) => {
      const id = (request.params as { id?: unknown } | undefined)?.id
      const payment = typeof id === 'string' ? engine.findPayment(id) : undefined
      return payment === undefined ? {} : { merchant_id: payment.merchant_id, payment_id: payment.id, channel: channelOf(payment) }
    }
  })
  // Browsers post forms; only these pages accept them (the API stays JSON-only).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })

  app.get<Params>('/cashier/:id', async (request, reply) => show(reply, find(request.params.id)))

  app.post<Params & { Body: CashierForm }>('/cashier/:id', async (request, reply) => {
    const payment = find(request.params.id)
    const kind = engine.pendingAction(payment.id)?.kind
    const action: BuyerAction = kind === 'three_d_secure' && request.body.action !== 'cancel'
      ? (request.body.code === THREE_DS_CODE ? 'pass' : 'fail')
      : request.body.action ?? 'cancel'
    let after: Payment
    try {
      after = await engine.completeAction(payment.id, action)
    } catch (err) {
      return moved(request, reply, payment, err)
    }
    return back(reply, after)
  })

  app.post<Params & { Body: CardEnvelope }>('/cashier/:id/card', async (request, reply) => {
    const payment = find(request.params.id)
    let after: Payment
    try {
      after = await engine.enterCard(payment.id, request.body)
    } catch (err) {
      // A person at the page sees the form again with what to fix; a script gets the JSON error.
      if (!fromForm(request) || !(err instanceof PaylabError) || err.statusCode !== 400) return moved(request, reply, payment, err)
      return show(reply.code(400), payment, CARD_ERRORS[err.code] ?? err.message)
    }
    // 3-D Secure comes next on this same page.
    if (after.status === 'requires_action') return reply.code(303).header('location', `/cashier/${after.id}`).send()
    return back(reply, after)
  })

  app.post<Params & { Body: { method: string } }>('/cashier/:id/method', async (request, reply) => {
    const payment = find(request.params.id)
    const [type, provider] = request.body.method.split(':', 2) as [MethodChoice['type'], string | undefined]
    try {
      await engine.chooseMethod(payment.id, { type, ...(provider === undefined ? {} : { wallet: { provider } }) })
    } catch (err) {
      return moved(request, reply, payment, err)
    }
    return reply.code(303).header('location', `/cashier/${payment.id}`).send()
  })

  function find (id: string): Payment {
    const payment = engine.findPayment(id)
    if (payment === undefined) throw PAYMENT_NOT_FOUND(undefined, { payment_id: id })
    return payment
  }

  /**
   * The QR the page shows. A profile whose channel hands the merchant a code to show the buyer
   * (Alipay's precreate qr_code) says so in the payment's channel_data (`cashier_qr:
   * 'next_action'`): the page shows that very URL, named, so the cashier never knows the profile.
   * Other wallets get a QR of this page, to approve on a phone.
   */
  function qrOf (payment: Payment, kind: string | undefined): { qr?: string } {
    if (payment.status !== 'requires_action') return {}
    const code = payment.channel_data?.cashier_qr === 'next_action' ? payment.next_action?.url : undefined
    if (code !== undefined) return { qr: qrSvg(code, `QR code of ${code}`) }
    if (kind !== 'wallet') return {}
    return { qr: qrSvg(`${engine.config.publicUrl}/cashier/${payment.id}`, `QR code: pay with ${walletName(payment.method.wallet?.provider ?? 'wallet')}`) }
  }

  function show (reply: FastifyReply, payment: Payment, error?: string): FastifyReply {
    const key = engine.keys().data.find((k) => k.status === 'active') ?? engine.keys().data[0]
    const nonce = randomBytes(16).toString('base64')
    const kind = engine.pendingAction(payment.id)?.kind
    const html = cashierPage({
      payment,
      kind,
      ...qrOf(payment, kind),
      merchant: engine.merchant(payment.merchant_id).name,
      key: { id: key?.id ?? '', public_key: key?.public_key ?? '' },
      now: isoTime(engine.clock),
      nonce,
      ...(error === undefined ? {} : { error })
    })
    return reply
      .header('content-security-policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'; frame-ancestors 'none'`)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .send(html)
  }

  /** Back to the merchant's return_url with the ids, or the result here when it has none. */
  function back (reply: FastifyReply, after: Payment): FastifyReply {
    const url = returnUrl(after)
    if (url === null) return show(reply, after)
    return reply.code(303).header('location', url).send()
  }

  /**
   * A post the payment no longer takes, because it has moved on (a buyer pressed Back, then
   * Approve, on a payment already paid): a person's browser gets the payment's page as it now
   * stands, with the way back to the shop; a script gets the JSON error.
   */
  function moved (request: FastifyRequest, reply: FastifyReply, payment: Payment, err: unknown): FastifyReply {
    if (!(err instanceof PaylabError) || err.code !== INVALID_STATE_TRANSITION.code || !wantsPage(request)) throw err
    return show(reply.code(409), find(payment.id))
  }
}

/** A browser navigating asks for HTML first; fetch() and scripts do not. */
const wantsPage = (request: FastifyRequest): boolean => String(request.headers.accept ?? '').includes('text/html')
const fromForm = (request: FastifyRequest): boolean => String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
