// The merchant's actions through the reference shop's JSON API (merchant/shop/app.ts), and the
// buyer coming back to it. Any shop that offers the same API can be driven with --shop.
import type { ScenarioContext } from '../context.js'
import { jsonHeaders, send } from '../http.js'
import { RuntimeProblem } from '../types.js'
import { localAnswer, type Handlers } from './types.js'

type Args = Record<string, any>

const path = (order: unknown, rest = ''): string => `/api/orders/${encodeURIComponent(String(order))}${rest}`

async function post (ctx: ScenarioContext, url: string, body: unknown = {}) {
  return { answer: await send(`${ctx.shopUrl}${url}`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(body), timeoutMs: 60_000 }) }
}

export const shopSteps: Handlers = {
  'shop.order': async (ctx, args: Args) => {
    const { card, ...rest } = args
    return await post(ctx, '/api/orders', { ...rest, ...(card === undefined ? {} : { card: typeof card === 'string' ? { number: card } : card }) })
  },
  'shop.get': async (ctx, args: Args) => ({ answer: await send(`${ctx.shopUrl}${path(args.order)}`) }),
  'shop.refund': async (ctx, args: Args) => await post(ctx, path(args.order, '/refunds'), args.amount === undefined ? {} : { amount: args.amount }),
  'shop.capture': async (ctx, args: Args) => await post(ctx, path(args.order, '/capture'), args.amount === undefined ? {} : { amount: args.amount }),
  'shop.cancel': async (ctx, args: Args) => await post(ctx, path(args.order, '/cancel')),
  'shop.sync': async (ctx, args: Args) => await post(ctx, path(args.order, '/sync')),
  'shop.reconcile': async (ctx, args: Args | null) => await post(ctx, '/api/reconcile', args?.date === undefined ? {} : { date: args.date }),
  // The buyer's browser back from the cashier: the shop asks the gateway, then shows the order.
  'shop.return': async (ctx, args: Args) => ({ answer: await send(`${ctx.shopUrl}/orders/${encodeURIComponent(String(args.order))}/return`, { follow: true }) }),
  'shop.receiver': async (ctx, state: 'up' | 'down' | 'failing') => {
    if (ctx.shop === undefined) throw new RuntimeProblem('shop.receiver needs the shop the runner starts (not --shop)')
    ctx.shop.setReceiver(state)
    return { answer: localAnswer({ receiver: state }) }
  }
}
