// Merchants as the admin API keeps them: the merchant's own fields with each channel profile's
// credentials, checked (and generated) by the profile before anything is stored, and shown as
// the profile shows them (never the stored secrets).
import { commit } from './commit.js'
import type { ChannelParts } from './channels.js'
import type { EngineContext } from './context.js'
import { acceptChannels, viewChannels, type ChannelsInput } from './merchant-channels.js'
import { createMerchant, getMerchant, merchantView, rotateMerchantSecret, updateMerchant, type MerchantInput } from './merchants.js'
import { newId } from './ids.js'
import type { Merchant } from './types.js'

/** Merchant fields of POST /admin/merchants, with the channel profiles' credentials. */
export type MerchantCreate = MerchantInput & { channels?: ChannelsInput | undefined }
export type MerchantPatch = Omit<MerchantInput, 'id' | 'hmac_secret'> & { channels?: ChannelsInput | undefined }

type Channels = (name: string) => ChannelParts | undefined

export function adminView (channelParts: Channels, merchant: Merchant) {
  const { channels: _stored, ...view } = merchantView(merchant)
  const channels = viewChannels(channelParts, merchant)
  return channels === undefined ? view : { ...view, channels }
}

export async function adminCreateMerchant (ctx: EngineContext, channelParts: Channels, { channels, ...input }: MerchantCreate) {
  const id = input.id ?? newId('mch', 12)
  const accepted = channels === undefined ? undefined : acceptChannels(ctx, channelParts, id, channels, undefined)
  const m = await commit(ctx, () => {
    const made = createMerchant(ctx, { ...input, id })
    return accepted === undefined ? made : ctx.db.put('merchants', id, { ...made, channels: accepted.stored })
  })
  const { channels: _stored, ...answer } = m
  return accepted === undefined ? answer : { ...answer, channels: accepted.shown }
}

export async function adminUpdateMerchant (ctx: EngineContext, channelParts: Channels, id: string, { channels, ...patch }: MerchantPatch) {
  const current = getMerchant(ctx, id)
  const accepted = channels === undefined ? undefined : acceptChannels(ctx, channelParts, id, channels, current.channels)
  const m = await commit(ctx, () => {
    const updated = updateMerchant(ctx, id, patch)
    return accepted === undefined ? updated : ctx.db.put('merchants', id, { ...updated, channels: accepted.stored })
  })
  const view = adminView(channelParts, m)
  return accepted === undefined ? view : { ...view, channels: { ...viewChannels(channelParts, m), ...accepted.shown } }
}

export async function adminRotateSecret (ctx: EngineContext, id: string) {
  const { channels: _stored, ...m } = await commit(ctx, () => rotateMerchantSecret(ctx, id))
  return m
}
