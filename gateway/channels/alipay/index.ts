// Alipay Open Platform as a channel profile: alipay-sdk (and Alipay's other SDKs) pointed at
// paylab run unchanged. docs/channels/alipay.md describes the wire, the SDK settings and the
// test vectors.
import { DEMO_MERCHANT_ID } from '../../engine/bootstrap.js'
import type { Engine } from '../../engine/engine.js'
import type { ChannelProfile } from '../profile.js'
import { alipayCodec } from './codec.js'
import { alipayCredentials, type AlipayCredentials } from './credentials.js'
import alipayPlugin from './plugin.js'

export const alipayProfile: ChannelProfile = {
  name: 'alipay',
  plugin: alipayPlugin,
  engineParts: (engine) => ({ codec: alipayCodec(engine), credentials: alipayCredentials }),
  // The demo merchant gets an Alipay app at the first start, for the quick start.
  onReady: async (engine) => {
    if (engine.channelCredentials(DEMO_MERCHANT_ID, 'alipay') === undefined) await engine.updateMerchant(DEMO_MERCHANT_ID, { channels: { alipay: {} } })
  }
}

/** What `npm start` prints of the demo merchant's Alipay app. */
export function alipayDemoLines (engine: Engine, gatewayUrl: string): string[] {
  const creds = engine.channelCredentials(DEMO_MERCHANT_ID, 'alipay') as AlipayCredentials | undefined
  if (creds === undefined) return []
  return [
    `  demo Alipay app:   appId ${creds.app_id}   gateway ${gatewayUrl}/gateway.do   endpoint ${gatewayUrl}`,
    '  demo app private key (alipay-sdk privateKey, PKCS#1):',
    creds.app_private_key ?? '    (not kept: the app public key was registered by hand)',
    '  Alipay public key (alipay-sdk alipayPublicKey):',
    creds.alipay_public_key.trimEnd()
  ]
}
