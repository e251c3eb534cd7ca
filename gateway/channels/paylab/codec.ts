// paylab's own notifications: the event body as the engine keeps it, signed like an answer
// (fresh timestamp and nonce every attempt); a 2xx acknowledges; the gateway's retry schedule.
import type { SigningFault } from '../../engine/auth.js'
import type { DeliveryRequest, NotificationCodec } from '../../engine/channels.js'
import { whenReady } from '../../engine/crypto.js'
import type { Engine } from '../../engine/engine.js'
import { eventBody, tamper } from '../../engine/events.js'
import type { NotificationFault } from '../../engine/notification-faults.js'

const SIGNING_FAULTS: Partial<Record<NotificationFault['name'], SigningFault>> = {
  bad_signature: { kind: 'bad_signature' },
  stale_timestamp: { kind: 'stale_timestamp', seconds: 3600 },
  unknown_key: { kind: 'unknown_key' }
}

export function paylabCodec (engine: Engine): NotificationCodec {
  return {
    encode ({ event, merchant, url, attempt, fault }) {
      const signingFault = fault === undefined ? undefined : SIGNING_FAULTS[fault.name]
      const body = eventBody(event)
      const request = (signed: Record<string, string>): DeliveryRequest => ({
        url,
        body: fault?.name === 'tampered_body' ? tamper(body) : body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'paylab-notifier/1',
          ...signed,
          'Paylab-Event-Id': event.id,
          'Paylab-Delivery-Attempt': String(attempt)
        }
      })
      // An RSA signature is made on the gateway's worker pool when the provider has one, as
      // answers' are; an HMAC one at once, with no promise.
      const signed = engine.signAnswerAsync({ merchant, signatureType: merchant.answer_signature_type }, Buffer.from(body), signingFault)
      return whenReady(signed, request)
    },
    acknowledged: (status) => status >= 200 && status < 300
  }
}
