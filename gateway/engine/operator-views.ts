// The operator's views (admin API, dashboard): the request journal — this gateway's ring, or with
// a shared store the journal of every gateway on it (an entry is there once its request is
// answered; see docs/postgres.md) — and a payment's timeline.
import type { EngineContext } from './context.js'
import type { Change, History } from './history.js'
import type { Journal, JournalEntry, JournalQuery } from './journal.js'
import { findEvents } from './queries.js'
import { listRefunds } from './refunds.js'
import type { NotificationEvent, Payment, Refund } from './types.js'

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
