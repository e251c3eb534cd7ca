// Setting the gateway up (rules, merchant settings, the clock, deliveries) and talking to it
// directly: signed /v1 requests, the source document's /pay, and the buyer's hosted page.
import { createHmac } from 'node:crypto'
import { buildSignedRequest, encryptCard } from '../../../merchant/sdk/index.js'
import { parseDuration } from '../../../gateway/engine/duration.js'
import type { ScenarioContext } from '../context.js'
import { jsonHeaders, send } from '../http.js'
import { ExpectationFailed } from '../types.js'
import type { Handlers } from './types.js'

type Args = Record<string, any>

const admin = async (ctx: ScenarioContext, method: string, path: string, body?: unknown) => ({ answer: await ctx.services.admin.call(method, path, body) })

export const gatewaySteps: Handlers = {
  'gateway.rule': async (ctx, args: Args) => {
    // A rule that applies at random does so reproducibly: its seed comes from the scenario's.
    const seed = args.probability !== undefined && args.seed === undefined ? { seed: ctx.seed } : {}
    return await admin(ctx, 'POST', '/admin/rules', { ...args, ...seed, merchant_id: ctx.merchant.id })
  },

  'gateway.rules.clear': async (ctx) => await admin(ctx, 'DELETE', `/admin/rules?merchant_id=${encodeURIComponent(ctx.merchant.id)}`),

  'gateway.merchant': async (ctx, args: Args) => await admin(ctx, 'PATCH', `/admin/merchants/${encodeURIComponent(ctx.merchant.id)}`, args),

  'gateway.clock': async (ctx, args: Args) => {
    const ms = typeof args.advance === 'number' ? args.advance : parseDuration(String(args.advance))
    const out = await admin(ctx, 'POST', '/admin/clock/advance', { ms })
    await ctx.services.syncClock()
    return out
  },

  'gateway.deliver': async (ctx) => await admin(ctx, 'POST', '/admin/events/deliver-due', { merchant_id: ctx.merchant.id }),

  'gateway.request': async (ctx, args: Args) => {
    let request = args.replay === undefined ? undefined : ctx.saved.get(args.replay as string)
    if (request === undefined) {
      const body = args.body === undefined ? undefined : await withEncryptedCard(ctx, args.body)
      const creds = { merchantId: ctx.merchant.id, signatureType: ctx.merchant.privateKey === undefined || args.break === 'wrong_key' ? 'HMAC-SHA256' as const : 'RSA-SHA256' as const, secret: ctx.merchant.secret, privateKey: ctx.merchant.privateKey }
      // Requests are signed on the gateway clock. A stale one is an hour before both that and the real
      // clock, so that it is stale whichever of the two the gateway checks against.
      const now = args.break === 'stale_timestamp' ? Math.min(Date.now(), ctx.services.now()) : ctx.services.now()
      const signed = buildSignedRequest(creds, { method: args.method, path: args.path, body, now, ...(args.break === undefined ? {} : { broken: args.break }) })
      const headers = { ...signed.headers, ...(args.idempotency_key === undefined ? {} : { 'idempotency-key': String(args.idempotency_key) }), ...args.headers }
      request = { method: args.method, path: args.path, headers, body: signed.body }
    }
    if (args.save_as !== undefined) ctx.saved.set(args.save_as as string, request)
    return { answer: await send(`${ctx.services.gatewayUrl}${request.path}`, { method: request.method, headers: request.headers, ...(request.body === '' ? {} : { body: request.body }) }) }
  },

  'gateway.pay': async (ctx, args: Args) => {
    const body = pythonJsonDumps({ user_id: args.user_id ?? '123456', order_id: args.order_id, amount: Number(args.amount), currency: args.currency ?? 'USD' })
    const signature = createHmac('sha256', args.secret ?? ctx.services.seedSecret).update(body).digest('hex')
    return { answer: await send(`${ctx.services.gatewayUrl}/pay`, { method: 'POST', headers: { ...jsonHeaders, Signature: signature }, body }) }
  },

  cashier: async (ctx, args: Args) => {
    const url = args.url ?? `${ctx.services.gatewayUrl}/cashier/${encodeURIComponent(args.payment_id as string)}`
    const form = args.code !== undefined ? { code: args.code } : { action: args.action ?? 'cancel' }
    const answer = await send(url, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(form) })
    const location = answer.headers.location
    if (args.follow === false || answer.status !== 303 || location === undefined) return { answer }
    // The buyer's browser follows the redirect back to the shop's return page.
    return { answer: await send(new URL(location, url).href, { follow: true }) }
  }
}

/** A card written as plain `method.card.number` is encrypted for the gateway's active key. */
async function withEncryptedCard (ctx: ScenarioContext, body: unknown): Promise<unknown> {
  const card = (body as { method?: { type?: string, card?: Record<string, unknown> } } | null)?.method?.card
  if (typeof card?.number !== 'string') return body
  const keys = await ctx.reader.refreshKeys()
  const key = keys.find((k) => k.status === 'active')
  if (key === undefined) throw new ExpectationFailed('the gateway lists no active key to encrypt the card for')
  const plain = { exp_month: 12, exp_year: new Date(ctx.services.now()).getUTCFullYear() + 2, cvc: '123', ...card } as { number: string, exp_month: number, exp_year: number, cvc: string }
  const b = body as { method: Record<string, unknown> }
  return { ...b, method: { ...b.method, card: { encrypted: encryptCard(plain, key) } } }
}

/** The bytes Python's json.dumps writes for the source document's request: `, ` and `: `, floats with a `.0`, non-ASCII escaped. */
export function pythonJsonDumps (value: Record<string, string | number>): string {
  const str = (s: string) => JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  const num = (n: number) => Number.isInteger(n) ? `${n}.0` : String(n)
  return `{${Object.entries(value).map(([k, v]) => `${str(k)}: ${typeof v === 'number' ? num(v) : str(v)}`).join(', ')}}`
}
