// Stripe's PaymentIntents API as a channel profile: stripe-node (or any Stripe library) pointed at
// the gateway's port with an sk_test_ key of a merchant's `channels.stripe` credentials.
// docs/channels/stripe.md describes what is simulated.
import { DEMO_MERCHANT_ID } from '../../engine/engine.js'
import type { ChannelProfile } from '../profile.js'
import { carriesStripeKey } from './auth.js'
import { stripeCodec } from './codec.js'
import { stripeCredentials } from './credentials.js'
import { stripePlugin } from './plugin.js'
import { CHANNEL } from './transformers.js'

export const stripeProfile: ChannelProfile = {
  name: CHANNEL,
  plugin: stripePlugin,
  recognize: carriesStripeKey,
  engineParts: (engine) => ({ codec: stripeCodec(engine), credentials: stripeCredentials }),
  // The demo merchant gets Stripe keys, so that `npm start` prints a key stripe-node can use.
  onReady: async (engine) => {
    if (engine.channelCredentials(DEMO_MERCHANT_ID, CHANNEL) === undefined) await engine.updateMerchant(DEMO_MERCHANT_ID, { channels: { [CHANNEL]: {} } })
  }
}
