// The operator's views (admin API, dashboard): the request journal — this gateway's ring, or with
// a shared store the journal of every gateway on it (an entry is there once its request is
// answered; see docs/postgres.md) — a payment's timeline, how much the store holds and what is
// scheduled. Each hands out what it read, never the store itself.
import type { EngineContext } from './context.js'
import type { Change, History } from './history.js'
import type { Journal, JournalEntry, JournalQuery } from './journal.js'
import { findEvents } from './queries.js'
import { listRefunds } from './refunds.js'
import { TABLE_NAMES, type NotificationEvent, type Payment, type Refund, type TableName, type Task } from './types.js'

/** Everything known of one payment, for the operator's timeline. */
export interface PaymentTimeline {
  payment: Payment
  refunds: Refund[]
  /** Status changes and refunds, oldest first (in memory: see history.ts). */
  changes: Change[]
  /** Its notification events with every delivery attempt, oldest first. */
  events: NotificationEvent[]
  /** The journaled requests about it, oldest first. */
  requests: JournalEntry[]
}

export async function journalEntries (ctx: EngineContext, local: Journal, query: JournalQuery): Promise<JournalEntry[]> {
  const shared = ctx.db.sharedJournal
  return shared === undefined ? local.query(query) : await shared.query(query)
}

export async function journalCount (ctx: EngineContext, local: Journal, query: JournalQuery): Promise<number> {
  const shared = ctx.db.sharedJournal
  return shared === undefined ? local.count(query) : await shared.count(query)
}

export async function journalEntry (ctx: EngineContext, local: Journal, seq: number): Promise<JournalEntry | undefined> {
  const shared = ctx.db.sharedJournal
  return shared === undefined ? local.entry(seq) : await shared.entry(seq)
}

export async function clearJournal (ctx: EngineContext, local: Journal, merchantId?: string): Promise<void> {
  local.clear(merchantId)
  await ctx.db.sharedJournal?.clear(merchantId)
}

export async function timeline (ctx: EngineContext, local: Journal, history: History, paymentId: string): Promise<PaymentTimeline | undefined> {
  const payment = ctx.db.get('payments', paymentId)
  if (payment === undefined) return undefined
  return {
    payment,
    refunds: listRefunds(ctx, payment.merchant_id, payment.id).data,
    changes: history.of(payment.id),
    events: findEvents(ctx, { payment_id: payment.id, limit: Infinity }).reverse(),
    requests: await journalEntries(ctx, local, { payment_id: payment.id, limit: 1000 })
  }
}

/** How many records each table holds (read from the tables' sizes: no scan, however much is stored). */
export function storedCounts (ctx: EngineContext): Record<TableName, number> {
  return Object.fromEntries(TABLE_NAMES.map((t) => [t, ctx.db.tables[t].size])) as Record<TableName, number>
}

/** A task waiting on the gateway clock: what it does, to what, and when (unix ms). */
export interface ScheduledTask { kind: Task['kind'], ref: string, at: number }

/** Every task the store holds (expiries, resolutions, notification attempts), in the order they were stored; copies. */
export function scheduledTasks (ctx: EngineContext): ScheduledTask[] {
  return [...ctx.db.tables.tasks.values()].map(({ kind, ref, at }) => ({ kind, ref, at }))
}
