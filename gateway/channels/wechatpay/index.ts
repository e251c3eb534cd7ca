// WeChat Pay API v3 as a channel profile (docs/channels/wechatpay.md): the official SDKs' base
// URL is the gateway's, paths as WeChat's (/v3/pay/…, /v3/refund/…, /v3/certificates).
import type { ChannelProfile } from '../profile.js'
import { wechatpayCodec } from './codec.js'
import { wechatpayCredentials } from './credentials.js'
import plugin from './plugin.js'
import { CHANNEL } from './transformers.js'

export const wechatpayProfile: ChannelProfile = {
  name: CHANNEL,
  plugin,
  // The /v3/ paths are WeChat's alone; the constraint is for a channel that shares paths.
  recognize: (headers) => (headers.authorization ?? '').startsWith('WECHATPAY2-'),
  engineParts: (engine) => ({ codec: wechatpayCodec(engine), credentials: wechatpayCredentials })
}
