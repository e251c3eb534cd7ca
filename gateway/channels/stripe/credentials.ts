// A merchant's Stripe credentials (`channels.stripe` on POST/PATCH /admin/merchants): the secret
// key stripe-node authenticates with, the publishable key, and the webhook endpoint (its URL and
// whsec_ signing secret). What is left out is generated; GET shows no secret.
import type { ChannelCredentials } from '../../engine/channels.js'
import { VALIDATION_FAILED } from '../../engine/errors.js'
import { newId } from '../../engine/ids.js'
import { checkNotifyUrl } from '../../engine/urls.js'

export interface StripeCredentials {
  secret_key: string
  publishable_key: string
  webhook_secret: string
  /** Where webhooks go (a WebhookEndpoint's url); null: no endpoint, events wait in /v1/events. */
  webhook_url: string | null
  webhook_endpoint_id: string | null
  /** Unix seconds the endpoint was made. */
  webhook_created: number | null
}

const FIELDS: Readonly<Record<string, RegExp>> = {
  secret_key: /^sk_test_[A-Za-z0-9]{16,99}$/,
  publishable_key: /^pk_test_[A-Za-z0-9]{16,99}$/,
  webhook_secret: /^whsec_[A-Za-z0-9]{16,99}$/
}

const field = (name: string): string => `channels.stripe.${name}`
export const newWebhookSecret = (): string => newId('whsec', 32)

export function isStripeCredentials (value: unknown): value is StripeCredentials {
  return typeof value === 'object' && value !== null && typeof (value as StripeCredentials).secret_key === 'string'
}

const mask = (secret: string): string => `${secret.slice(0, secret.indexOf('_', 3) + 1)}…${secret.slice(-4)}`

export const stripeCredentials: ChannelCredentials = {
  accept ({ input, current, others, env }) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw VALIDATION_FAILED('channels.stripe must be an object (empty to generate every key)', { field: field('') })
    const given = input as Record<string, unknown>
    for (const name of Object.keys(given)) {
      if (!Object.hasOwn(FIELDS, name) && name !== 'webhook_url') throw VALIDATION_FAILED(`channels.stripe.${name} is not a Stripe credential; use secret_key, publishable_key, webhook_secret, webhook_url`, { field: field(name) })
    }
    const had = isStripeCredentials(current) ? current : undefined
    const pick = (name: string, generate: () => string): string => {
      const value = given[name]
      if (value === undefined) return (had?.[name as keyof StripeCredentials] as string | undefined) ?? generate()
      if (typeof value !== 'string' || !(FIELDS[name] as RegExp).test(value)) throw VALIDATION_FAILED(`channels.stripe.${name} must match ${String(FIELDS[name])}`, { field: field(name) })
      return value
    }
    const stored: StripeCredentials = {
      secret_key: pick('secret_key', () => newId('sk_test', 32)),
      publishable_key: pick('publishable_key', () => newId('pk_test', 32)),
      webhook_secret: pick('webhook_secret', newWebhookSecret),
      webhook_url: had?.webhook_url ?? null,
      webhook_endpoint_id: had?.webhook_endpoint_id ?? null,
      webhook_created: had?.webhook_created ?? null
    }
    const url = given.webhook_url
    if (url === null) Object.assign(stored, { webhook_url: null, webhook_endpoint_id: null, webhook_created: null })
    else if (url !== undefined) {
      if (typeof url !== 'string') throw VALIDATION_FAILED('channels.stripe.webhook_url must be a URL or null', { field: field('webhook_url') })
      // Every URL given makes a new endpoint, as POST /v1/webhook_endpoints does.
      Object.assign(stored, { webhook_url: checkNotifyUrl(url, field('webhook_url'), env.notifyHosts), webhook_endpoint_id: newId('we', 24), webhook_created: Math.floor(env.now / 1000) })
    }
    if (others.some((o) => isStripeCredentials(o.stored) && o.stored.secret_key === stored.secret_key)) {
      throw VALIDATION_FAILED('another merchant has this Stripe secret key', { field: field('secret_key') })
    }
    return { stored, shown: stored }
  },
  view (stored) {
    if (!isStripeCredentials(stored)) return { registered: true }
    return { ...stored, secret_key: mask(stored.secret_key), webhook_secret: mask(stored.webhook_secret) }
  }
}
