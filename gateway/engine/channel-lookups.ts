// What a channel profile looks up by its own ids: who is asking, which payment or refund a wire
// id names, the merchant's credentials for the channel, its events; and a card taken on the
// profile's own wire, reduced to what may be kept.
import { describeCard, type PlainCard } from './cards.js'
import { channelOf } from './channels.js'
import type { EngineContext } from './context.js'
import { getMerchant } from './merchants.js'
import type { CardDetails, Merchant, NotificationEvent, Payment, Refund } from './types.js'

export function merchantByChannel (ctx: EngineContext, channel: string, match: (stored: unknown) => boolean): Merchant | undefined {
  for (const m of ctx.db.tables.merchants.values()) {
    if (m.channels !== undefined && Object.hasOwn(m.channels, channel) && match(m.channels[channel])) return m
  }
  return undefined
}

export function findChannelPayment (ctx: EngineContext, merchantId: string, channel: string, match: (payment: Payment) => boolean): Payment | undefined {
  for (const p of ctx.db.tables.payments.values()) {
    if (p.merchant_id === merchantId && p.channel === channel && match(p)) return p
  }
  return undefined
}

export function channelCredentials (ctx: EngineContext, merchantId: string, channel: string): unknown {
  const channels = getMerchant(ctx, merchantId).channels
  return channels !== undefined && Object.hasOwn(channels, channel) ? channels[channel] : undefined
}

export function refundByMerchantRef (ctx: EngineContext, merchantId: string, merchantRefundId: string): Refund | undefined {
  const id = ctx.db.refundIdByMerchantRef(merchantId, merchantRefundId)
  return id === undefined ? undefined : ctx.db.get('refunds', id)
}

export function cardDetails (ctx: EngineContext, card: PlainCard): CardDetails {
  const secret = ctx.db.get('settings', 'settings')?.fingerprint_secret ?? ''
  const { digits: _digits, ...details } = describeCard(card, ctx.crypto, secret, ctx.clock.now())
  return details
}

export function channelEvents (ctx: EngineContext, merchantId: string, channel: string): NotificationEvent[] {
  const out: NotificationEvent[] = []
  for (const e of [...ctx.db.tables.events.values()].reverse()) {
    if (e.merchant_id === merchantId && channelOf(e) === channel) out.push(e)
  }
  return out
}
