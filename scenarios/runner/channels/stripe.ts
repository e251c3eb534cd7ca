// Stripe's wire for scenarios: the merchant's sk_test_ key (its channels.stripe credentials, made
// on first use) as a Bearer token, the body form-encoded with brackets as stripe-node sends it.
import qs from 'qs'
import type { ScenarioContext } from '../context.js'
import type { ChannelRequestMaker } from './index.js'

const keys = new WeakMap<ScenarioContext, Promise<string>>()

async function secretKey (ctx: ScenarioContext): Promise<string> {
  let key = keys.get(ctx)
  if (key === undefined) {
    // PATCH with an empty object keeps the keys a merchant has and makes those it lacks.
    key = ctx.services.admin.json<{ channels: { stripe: { secret_key: string } } }>('PATCH', `/admin/merchants/${encodeURIComponent(ctx.merchant.id)}`, { channels: { stripe: {} } })
      .then((m) => m.channels.stripe.secret_key)
    keys.set(ctx, key)
  }
  return await key
}

export const stripeRequest: ChannelRequestMaker = async (ctx, args) => {
  const key = args.break === 'wrong_key' ? 'sk_test_000000000000000000000000' : await secretKey(ctx)
  const body = args.body === undefined ? '' : qs.stringify(args.body, { arrayFormat: 'indices' })
  return {
    headers: {
      authorization: `Bearer ${key}`,
      'stripe-version': '2026-10-28.endive',
      ...(body === '' ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      ...(args.idempotency_key === undefined ? {} : { 'idempotency-key': args.idempotency_key }),
      ...args.headers
    },
    body
  }
}
