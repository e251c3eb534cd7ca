// Read-only views across merchants, for the operator (admin API, dashboard): payments and
// notification events by filter, newest first. Client input only ever compares, never indexes.
import { channelOf } from './channels.js'
import type { EngineContext } from './context.js'
import type { NotificationEvent, Payment } from './types.js'

export interface PaymentFilter {
  merchant_id?: string | undefined
  /** A PaymentStatus; any other text matches nothing. */
  status?: string | undefined
  /** The channel profile (`paylab` for paylab's own). */
  channel?: string | undefined
  /** Exact merchant_order_id, or its start. */
  merchant_order_id?: string | undefined
  limit?: number | undefined
}

/** The newest `limit` records a table holds that `keep` accepts (a table's Map keeps insertion order). */
function newest<T> (records: Map<string, T>, limit: number, keep: (record: T) => boolean): T[] {
  const out: T[] = []
  const all = [...records.values()]
  for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
    const record = all[i] as T
    if (keep(record)) out.push(record)
  }
  return out
}

export function findPayments (ctx: EngineContext, f: PaymentFilter): Payment[] {
  return newest(ctx.db.tables.payments, f.limit ?? 100, (p) =>
    (f.merchant_id === undefined || p.merchant_id === f.merchant_id) && (f.status === undefined || p.status === f.status) &&
    (f.channel === undefined || channelOf(p) === f.channel) &&
    (f.merchant_order_id === undefined || p.merchant_order_id.startsWith(f.merchant_order_id)))
}

export interface EventFilter {
  merchant_id?: string | undefined
  type?: string | undefined
  status?: NotificationEvent['status'] | undefined
  payment_id?: string | undefined
  limit?: number | undefined
}

export function findEvents (ctx: EngineContext, q: EventFilter): NotificationEvent[] {
  return newest(ctx.db.tables.events, q.limit ?? 100, (e) =>
    (q.merchant_id === undefined || e.merchant_id === q.merchant_id) && (q.type === undefined || e.type === q.type) &&
    (q.status === undefined || e.status === q.status) && (q.payment_id === undefined || e.payment_id === q.payment_id))
}
