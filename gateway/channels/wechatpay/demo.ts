// The demo merchant's WeChat Pay credentials for the quick start: generated at the first start
// (so the merchant private key is paylab's and kept), written with mode 0600 to a JSON file the
// examples (examples/wechatpay/) and an SDK configuration read.
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { DEMO_MERCHANT_ID, type Engine } from '../../engine/engine.js'
import { sdkConfig, type WechatpayCredentials } from './credentials.js'
import { CHANNEL } from './transformers.js'

export async function demoWechatpay (engine: Engine, file: string, baseUrl: string): Promise<WechatpayCredentials> {
  if (engine.channelCredentials(DEMO_MERCHANT_ID, CHANNEL) === undefined) await engine.updateMerchant(DEMO_MERCHANT_ID, { channels: { [CHANNEL]: {} } })
  const creds = engine.channelCredentials(DEMO_MERCHANT_ID, CHANNEL) as WechatpayCredentials
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify({ baseURL: baseUrl, ...sdkConfig(creds) }, null, 2)}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
  return creds
}
