// Stripe webhooks: the Event object Stripe posts (payment_intent.*, charge.refunded…), signed in
// `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body" keyed with the whole whsec_ string>`
// (stripe-node Webhooks.js), to the merchant's webhook endpoint; a 2xx acknowledges; retried with
// back-off over about three days on the engine clock, as Stripe does.
import type { CryptoProvider } from '../../engine/crypto.js'
import type { NotificationCodec } from '../../engine/channels.js'
import type { Engine } from '../../engine/engine.js'
import { tamper } from '../../engine/events.js'
import type { Merchant, NotificationEvent, Payment, Refund } from '../../engine/types.js'
import { isStripeCredentials } from './credentials.js'
import { CHANNEL, charge, paymentIntent, refund, stripeEvent } from './transformers.js'

/** Seconds between attempts: 1 min, 5 min, 30 min, 1 h, 3 h, 6 h, 12 h, 24 h, 24 h (about 2.9 days in all). */
export const STRIPE_RETRY_SCHEDULE: readonly number[] = [60, 300, 1800, 3600, 10800, 21600, 43200, 86400, 86400]

export function signatureHeader (crypto: CryptoProvider, secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${crypto.hmacSha256(secret, `${timestamp}.${body}`).toString('hex')}`
}

export function clientSecret (crypto: CryptoProvider, secretKey: string, paymentId: string): string {
  return `${paymentId.replace(/^pay_/, 'pi_')}_secret_${crypto.hmacSha256(secretKey, paymentId).toString('hex').slice(0, 24)}`
}

const credentialsOf = (merchant: Merchant) => {
  const stored = merchant.channels !== undefined && Object.hasOwn(merchant.channels, CHANNEL) ? merchant.channels[CHANNEL] : undefined
  return isStripeCredentials(stored) ? stored : undefined
}

/** The Stripe Event for one of the engine's events, its object as it was when the event was made. */
export function eventObject (engine: Engine, event: NotificationEvent, object: Payment | Refund, crypto: CryptoProvider): Record<string, unknown> {
  const merchant = engine.merchant(event.merchant_id)
  const secretKey = credentialsOf(merchant)?.secret_key ?? ''
  if (object.object === 'payment') {
    return stripeEvent(event, paymentIntent(object, object.status === 'requires_action' ? 'three_d_secure' : undefined, clientSecret(crypto, secretKey, object.id)))
  }
  if (event.type !== 'refund.succeeded') return stripeEvent(event, refund(object))
  // charge.refunded carries the charge with the refunds made up to this one (not later ones).
  const payment = engine.findPayment(object.payment_id) as Payment
  const all = engine.listRefunds(merchant.id, payment.id).data
  const upTo = all.slice(0, all.findIndex((r) => r.id === object.id) + 1)
  const refunded = upTo.reduce((sum, r) => sum + r.amount, 0)
  return stripeEvent(event, charge({ ...payment, amount_refunded: refunded }, upTo))
}

export function stripeCodec (engine: Engine): NotificationCodec {
  return {
    // Every event, payment.requires_action included (OPTIONAL_EVENTS).
    notifies: () => true,
    destination: (merchant) => credentialsOf(merchant)?.webhook_url ?? null,
    retrySchedule: STRIPE_RETRY_SCHEDULE,
    encode ({ event, object, merchant, url, fault, env }) {
      const credentials = credentialsOf(merchant)
      if (credentials === undefined) throw new Error('the merchant has no Stripe credentials')
      const body = JSON.stringify(eventObject(engine, event, object, env.crypto))
      let timestamp = Math.floor(env.signingNow / 1000)
      let secret = credentials.webhook_secret
      if (fault?.name === 'stale_timestamp') timestamp -= 3600
      // A signature under a secret the receiver was never given.
      if (fault?.name === 'bad_signature' || fault?.name === 'unknown_key') secret = `${secret}x`
      return {
        url,
        body: fault?.name === 'tampered_body' ? tamper(body) : body,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks; paylab)',
          'stripe-signature': signatureHeader(env.crypto, secret, timestamp, body)
        }
      }
    },
    acknowledged: (status) => status >= 200 && status < 300
  }
}
