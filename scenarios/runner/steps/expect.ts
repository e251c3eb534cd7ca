// Expectations: the shop's order, the gateway's payment and counts, the notification delivery log
// and the request journal. Each fetches a view and matches the scenario's fields against it.
import { PaylabApiError, type Payment } from '../../../merchant/sdk/index.js'
import { compileGlob } from '../../../gateway/engine/rules.js'
import type { JournalLine } from '../admin.js'
import type { ScenarioContext } from '../context.js'
import { send } from '../http.js'
import { match } from '../match.js'
import type { Mismatch } from '../types.js'
import { localAnswer, type Handlers } from './types.js'

type Args = Record<string, any>

const matchFields = (view: Record<string, unknown>, expected: Args, prefix: string): Mismatch[] =>
  Object.entries(expected).flatMap(([k, e]) => match(view[k], e, `${prefix}.${k}`))

/** The merchant's journal, oldest first, without the runner's own reads or earlier scenarios' entries. */
export async function journalOf (ctx: ScenarioContext, query: Record<string, string | number | undefined> = {}): Promise<JournalLine[]> {
  const lines = await ctx.services.admin.journal({ merchant_id: ctx.merchant.id, limit: 10_000, ...query })
  return lines.filter((e) => e.seq > ctx.journalSince && !ctx.ownRequests.has(e.request_id))
}

async function paymentOf (ctx: ScenarioContext, args: Args): Promise<Payment | undefined> {
  try {
    if (args.payment_id !== undefined) return await ctx.reader.getPayment(String(args.payment_id))
    return await ctx.reader.findPaymentByOrder(String(args.merchant_order_id))
  } catch (err) {
    if (err instanceof PaylabApiError && err.code === 'PAYLAB_PAYMENT_NOT_FOUND') return undefined
    throw err
  }
}

/** Every payment id of the merchant, page by page. */
export async function paymentIds (ctx: ScenarioContext): Promise<string[]> {
  const ids: string[] = []
  for (let after: string | undefined; ;) {
    const page = await ctx.reader.listPayments({ limit: 100, ...(after === undefined ? {} : { starting_after: after }) })
    ids.push(...page.data.map((p) => p.id))
    if (!page.has_more || page.next_cursor === null) return ids
    after = page.next_cursor
  }
}

export const expectSteps: Handlers = {
  'expect.order': async (ctx, { id, ...expected }: Args) => {
    const answer = await send(`${ctx.shopUrl}/api/orders/${encodeURIComponent(String(id))}`)
    if (answer.status !== 200) return { answer }
    return { answer, mismatches: matchFields(answer.json as Record<string, unknown>, expected, 'order') }
  },

  'expect.gateway': async (ctx, { merchant_order_id: order, payment_id: paymentId, creates, payments, ...expected }: Args) => {
    const view: Record<string, unknown> = {}
    const mismatches: Mismatch[] = []
    if (order !== undefined || paymentId !== undefined) {
      const payment = await paymentOf(ctx, { merchant_order_id: order, payment_id: paymentId })
      Object.assign(view, payment ?? {}, { found: payment !== undefined })
      if (payment === undefined && Object.keys(expected).some((k) => k !== 'found')) {
        mismatches.push({ path: 'payment', expected: `a payment for ${order ?? paymentId}`, seen: 'none (404)' })
      } else mismatches.push(...matchFields(view, expected, 'payment'))
    }
    if (creates !== undefined) {
      const seen = (await journalOf(ctx, { method: 'POST', path: '/v1/payments' })).filter((e) => order === undefined || e.merchant_order_id === order)
      view.creates = seen.length
      mismatches.push(...match(seen.length, creates, 'creates').map((m) => ({ ...m, note: m.note ?? `POST /v1/payments requests${order === undefined ? '' : ` for ${String(order)}`} in the journal` })))
    }
    if (payments !== undefined) {
      const ids = (await paymentIds(ctx)).filter((id) => !ctx.preexisting.has(id))
      view.payments = ids.length
      mismatches.push(...match(ids.length, payments, 'payments').map((m) => ({ ...m, note: m.note ?? 'payments of the merchant in this scenario' })))
    }
    return { answer: localAnswer(view), mismatches }
  },

  'expect.notifications': async (ctx, { order, type, count, each, events: expected }: Args) => {
    const q = new URLSearchParams({ merchant_id: ctx.merchant.id, limit: '1000' })
    const list = (await ctx.services.admin.json<{ data: Array<Record<string, any>> }>('GET', `/admin/events?${q.toString()}`)).data
    const typeRe = type === undefined ? undefined : compileGlob(String(type))
    const events = list.reverse()
      .filter((e) => (order === undefined || e.merchant_order_id === order) && (typeRe === undefined || typeRe.test(e.type)))
      .map((e) => {
        const attempts = e.attempts as Array<{ status_code: number | null }>
        return {
          id: e.id, type: e.type, status: e.status, fault: e.fault,
          attempts: attempts.length,
          deliveries: attempts.filter((a) => a.status_code !== null && a.status_code >= 200 && a.status_code < 300).length,
          codes: attempts.map((a) => a.status_code)
        }
      })
    const mismatches = [
      ...(count === undefined ? [] : match(events.length, count, 'count')),
      ...(each === undefined ? [] : events.flatMap((e, i) => match(e, each, `events[${i}]`))),
      ...(expected === undefined ? [] : match(events, expected, 'events'))
    ]
    return { answer: localAnswer({ count: events.length, events }), mismatches }
  },

  'expect.journal': async (ctx, { order, method, path, status, after, count, each, entries: expected }: Args) => {
    const all = (await journalOf(ctx, { method, path, status })).filter((e) => after === undefined || e.seq > Number(after))
    const payments = new Set(all.filter((e) => e.merchant_order_id === order && e.payment_id !== null).map((e) => e.payment_id))
    const entries = order === undefined
      ? all
      : all.filter((e) => e.merchant_order_id === order || (e.payment_id !== null && payments.has(e.payment_id)) || e.path.endsWith(`/order/${encodeURIComponent(String(order))}`))
    const mismatches = [
      ...(count === undefined ? [] : match(entries.length, count, 'count')),
      ...(each === undefined ? [] : entries.flatMap((e, i) => match(e, each, `entries[${i}]`))),
      ...(expected === undefined ? [] : match(entries, expected, 'entries'))
    ]
    return { answer: localAnswer({ count: entries.length, entries }), mismatches }
  }
}
