// Who is asking: Stripe's API key, as stripe-node sends it (`Authorization: Bearer sk_test_…`)
// or as curl -u sends it (Basic, the key as user name). Keys are compared in constant time.
import type { IncomingHttpHeaders } from 'node:http'
import { safeEqual } from '../../engine/crypto.js'
import type { Engine } from '../../engine/engine.js'
import type { Merchant } from '../../engine/types.js'
import { isStripeCredentials, type StripeCredentials } from './credentials.js'
import { CHANNEL } from './transformers.js'

export function apiKeyOf (headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization
  if (auth === undefined) return undefined
  if (auth.startsWith('Bearer ')) return auth.slice(7).trim()
  if (auth.startsWith('Basic ')) {
    const user = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8')
    const colon = user.indexOf(':')
    return colon < 0 ? user : user.slice(0, colon)
  }
  return undefined
}

/** Whether a request carries a Stripe key (secret, restricted or publishable): the `channel` constraint's test. */
export const carriesStripeKey = (headers: IncomingHttpHeaders): boolean => /^(sk|rk|pk)_(test|live)_/.test(apiKeyOf(headers) ?? '')

export interface StripeCaller { merchant: Merchant, credentials: StripeCredentials }

export function callerOf (engine: Engine, headers: IncomingHttpHeaders): StripeCaller | undefined {
  const key = apiKeyOf(headers)
  if (key === undefined || !key.startsWith('sk_test_')) return undefined
  const given = Buffer.from(key)
  const merchant = engine.merchantByChannel(CHANNEL, (s) => isStripeCredentials(s) && safeEqual(Buffer.from(s.secret_key), given))
  if (merchant === undefined) return undefined
  return { merchant, credentials: engine.channelCredentials(merchant.id, CHANNEL) as StripeCredentials }
}

/** How Stripe shows a refused key: its type and last four characters. */
export function redactKey (key: string | undefined): string {
  if (key === undefined || key === '') return 'none'
  return key.length <= 12 ? '****' : `${key.slice(0, key.indexOf('_', 3) + 1)}${'*'.repeat(12)}${key.slice(-4)}`
}
