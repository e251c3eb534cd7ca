// A live gateway with a WeChat Pay merchant and a notification receiver, for the official SDK
// tests. Key pairs that differ (published test ones, not the suite's shared one): the merchant key,
// the platform key and the gateway key differ, so a signature made with the wrong one cannot pass.
import type { Test } from 'tap'
import { distinctKeysCrypto } from './fixture-keys.js'
import { live, type LiveGateway } from './live.js'
import { receiver, type Receiver } from './receiver.js'

export interface WechatpayMerchant {
  mode: 'public_key' | 'certificate'
  mchid: string
  appid: string
  merchant_serial_no: string
  merchant_private_key: string
  apiv3_key: string
  platform_public_key_id: string
  platform_public_key: string
  platform_certificate_serial: string
  platform_certificate: string
}

export interface WechatpayBench { gw: LiveGateway, rx: Receiver, merchant: WechatpayMerchant, merchantId: string }

let shop = 0
export async function wechatpayBench (t: Test, mode: 'public_key' | 'certificate' = 'public_key', gw?: LiveGateway): Promise<WechatpayBench> {
  const gateway = gw ?? await live(t, { crypto: distinctKeysCrypto() })
  const rx = await receiver(t, { path: '/wechatpay/notify' })
  const id = `wx-shop-${process.pid}-${++shop}`
  const res = await gateway.admin({ method: 'POST', url: '/admin/merchants', payload: { id, channels: { wechatpay: { mode } } } })
  if (res.statusCode !== 201) throw new Error(`creating a WeChat Pay merchant answered ${res.statusCode}: ${res.body}`)
  return { gw: gateway, rx, merchant: res.json().channels.wechatpay, merchantId: id }
}

let trade = 0
export const outTradeNo = (): string => `WX${process.pid}T${Date.now().toString(36)}${++trade}`
