// The demo merchant's WeChat Pay credentials for the quick start: generated at the first start
// (so the merchant private key is paylab's and kept), written with mode 0600 to a JSON file the
// examples (examples/wechatpay/) and an SDK configuration read.
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { DEMO_MERCHANT_ID, type Engine } from '../../engine/engine.js'
import { sdkConfig, type WechatpayCredentials } from './credentials.js'
import { CHANNEL } from './transformers.js'

/** The demo merchant's WeChat Pay credentials, made (keys, platform certificate) if it has none. */
export async function demoWechatpayCredentials (engine: Engine): Promise<WechatpayCredentials> {
  if (engine.channelCredentials(DEMO_MERCHANT_ID, CHANNEL) === undefined) await engine.updateMerchant(DEMO_MERCHANT_ID, { channels: { [CHANNEL]: {} } })
  return engine.channelCredentials(DEMO_MERCHANT_ID, CHANNEL) as WechatpayCredentials
}

export async function demoWechatpay (engine: Engine, file: string, baseUrl: string): Promise<WechatpayCredentials> {
  const creds = await demoWechatpayCredentials(engine)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify({ baseURL: baseUrl, ...sdkConfig(creds) }, null, 2)}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
  return creds
}
