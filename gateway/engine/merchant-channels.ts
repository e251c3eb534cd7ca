// A merchant's credentials per channel profile. The engine keeps them opaque: the profile that
// registered `credentials` for a channel checks, completes and shows them (channels.ts).
import { signingClock } from './auth.js'
import type { ChannelParts } from './channels.js'
import type { EngineContext } from './context.js'
import { VALIDATION_FAILED } from './errors.js'
import type { Merchant } from './types.js'

export type ChannelsInput = Record<string, unknown>

/**
 * Runs every channel named in `input` through its profile's hook. Returns the credentials to
 * store on the merchant (beside the ones it keeps) and what the answer shows of the new ones.
 */
export function acceptChannels (
  ctx: EngineContext,
  channels: (name: string) => ChannelParts | undefined,
  merchantId: string,
  input: ChannelsInput,
  current: Record<string, unknown> | undefined
): { stored: Record<string, unknown>, shown: Record<string, unknown> } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw VALIDATION_FAILED('channels must be an object of channel name to credentials', { field: 'channels' })
  const stored: Record<string, unknown> = { ...current }
  const shown: Record<string, unknown> = {}
  for (const name of Object.keys(input)) {
    const hook = channels(name)?.credentials
    if (hook === undefined) throw VALIDATION_FAILED(`channels.${name} is not a channel profile with merchant credentials`, { field: `channels.${name}` })
    const others: Array<{ merchantId: string, stored: unknown }> = []
    for (const m of ctx.db.tables.merchants.values()) {
      if (m.id !== merchantId && m.channels !== undefined && Object.hasOwn(m.channels, name)) others.push({ merchantId: m.id, stored: m.channels[name] })
    }
    const had = current !== undefined && Object.hasOwn(current, name) ? current[name] : undefined
    const accepted = hook.accept({
      merchantId,
      input: input[name],
      current: had,
      others,
      env: { crypto: ctx.crypto, now: ctx.clock.now(), signingNow: signingClock(ctx).now(), notifyHosts: ctx.config.notifyHosts }
    })
    stored[name] = accepted.stored
    shown[name] = accepted.shown
  }
  return { stored, shown }
}

/** What GET shows of a merchant's channel credentials (each profile's view: no secrets). */
export function viewChannels (channels: (name: string) => ChannelParts | undefined, merchant: Merchant): Record<string, unknown> | undefined {
  if (merchant.channels === undefined) return undefined
  const view: Record<string, unknown> = {}
  for (const [name, stored] of Object.entries(merchant.channels)) {
    const hook = channels(name)?.credentials
    view[name] = hook === undefined ? { registered: true } : hook.view(stored)
  }
  return view
}
