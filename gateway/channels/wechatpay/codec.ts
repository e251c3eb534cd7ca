// WeChat Pay notifications: `POST notify_url` with {id, create_time, event_type, resource_type,
// summary, resource}, the resource encrypted AEAD_AES_256_GCM under the merchant's APIv3 key,
// signed with Wechatpay-* headers like an answer; 200 or 204 acknowledges; WeChat's schedule.
import { createHash } from 'node:crypto'
import type { DeliveryRequest, NotificationCodec, NotificationInput } from '../../engine/channels.js'
import { whenReady } from '../../engine/crypto.js'
import type { Engine } from '../../engine/engine.js'
import type { SigningFault } from '../../engine/auth.js'
import type { EventType, Payment, Refund } from '../../engine/types.js'
import { aeadEncrypt } from './aead.js'
import type { WechatpayCredentials } from './credentials.js'
import { platformHeadersSoon } from './signing.js'
import { CHANNEL, refundResource, transaction, wechatTime } from './transformers.js'

/** 15s 15s 30s 3m 10m 20m 30m 30m 30m 60m 3h 3h 3h 6h 6h, as WeChat Pay publishes it. */
export const WECHATPAY_RETRY_SCHEDULE = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600] as const

const EVENT_TYPES: Partial<Record<EventType, { type: string, summary: string, kind: 'transaction' | 'refund' }>> = {
  'payment.succeeded': { type: 'TRANSACTION.SUCCESS', summary: '支付成功', kind: 'transaction' },
  'refund.succeeded': { type: 'REFUND.SUCCESS', summary: '退款成功', kind: 'refund' },
  'refund.failed': { type: 'REFUND.ABNORMAL', summary: '退款异常', kind: 'refund' }
}

const SIGNING_FAULTS: Record<string, SigningFault> = {
  bad_signature: { kind: 'bad_signature' }, stale_timestamp: { kind: 'stale_timestamp', seconds: 3600 }, unknown_key: { kind: 'unknown_key' }
}

/** Fixed by the event, so that every attempt sends the same bytes. */
const idOf = (eventId: string): string => {
  const h = createHash('sha256').update(eventId).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}
const nonceOf = (eventId: string): string => createHash('sha256').update(`nonce:${eventId}`).digest('base64url').slice(0, 12)

export function wechatpayCodec (engine: Engine): NotificationCodec {
  function plaintext (kind: 'transaction' | 'refund', input: NotificationInput, creds: WechatpayCredentials): Record<string, unknown> {
    if (kind === 'transaction') return transaction(input.object as Payment, creds)
    const refund = input.object as Refund
    return refundResource(refund, engine.findPayment(refund.payment_id) as Payment, creds)
  }

  return {
    notifies: (type) => EVENT_TYPES[type] !== undefined,
    encode (input) {
      const { event, merchant, url, fault } = input
      const spec = EVENT_TYPES[event.type]
      const creds = merchant.channels?.[CHANNEL] as WechatpayCredentials | undefined
      if (spec === undefined || creds === undefined) throw new Error(`no WeChat Pay notification for ${event.type} of a merchant without WeChat Pay credentials`)
      const resource = plaintext(spec.kind, input, creds)
      const envelope = (res: Record<string, unknown>): string => JSON.stringify({
        id: idOf(event.id),
        create_time: wechatTime(event.created),
        resource_type: 'encrypt-resource',
        event_type: spec.type,
        summary: spec.summary,
        resource: { original_type: spec.kind, ...aeadEncrypt(creds.apiv3_key, nonceOf(event.id), spec.kind, JSON.stringify(res)) }
      })
      const body = envelope(resource)
      const signingFault = fault === undefined ? undefined : SIGNING_FAULTS[fault.name]
      // tampered_body: the signature is the real body's; what arrives says another amount.
      const sent = fault?.name === 'tampered_body' ? envelope(tampered(resource)) : body
      const request = (headers: Record<string, string>): DeliveryRequest =>
        ({ url, body: sent, headers: { 'content-type': 'application/json', 'user-agent': 'paylab-notifier/1 (wechatpay)', ...headers, 'Request-ID': event.id } })
      // Signed on the gateway's worker pool when the provider has one, as answers are.
      const headers = platformHeadersSoon(input.env.crypto, creds, body, Math.floor(input.env.signingNow / 1000), signingFault)
      return whenReady(headers, request)
    },
    acknowledged: (status) => status === 200 || status === 204,
    retrySchedule: WECHATPAY_RETRY_SCHEDULE,
    timeoutMs: 5000
  }
}

function tampered (resource: Record<string, unknown>): Record<string, unknown> {
  const amount = resource.amount as Record<string, number>
  return { ...resource, amount: { ...amount, ...(amount.payer_total === undefined ? {} : { payer_total: amount.payer_total + 100 }), total: (amount.total ?? 0) + 100 } }
}
