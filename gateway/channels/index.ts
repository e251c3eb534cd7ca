// The channel profiles the gateway serves. The gateway wires them (routes, constraint, engine
// parts); profiles never import each other, and the engine imports none of them.
import { alipayProfile } from './alipay/index.js'
import { paylabProfile } from './paylab/index.js'
import type { Engine } from '../engine/engine.js'
import type { ChannelProfile } from './profile.js'
import { stripeProfile } from './stripe/index.js'
import { wechatpayProfile } from './wechatpay/index.js'

export type { ChannelProfile }

export const CHANNEL_PROFILES: readonly ChannelProfile[] = [paylabProfile, wechatpayProfile, stripeProfile, alipayProfile]

/** Gives the engine each profile's engine parts (codec, credentials): what a gateway does at build. */
export function registerChannels (engine: Engine, profiles: readonly ChannelProfile[] = CHANNEL_PROFILES): void {
  for (const profile of profiles) engine.registerChannel(profile.name, profile.engineParts?.(engine) ?? {})
}
