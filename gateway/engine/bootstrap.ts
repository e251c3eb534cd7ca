// What a gateway has from its first start: settings (admin token, fingerprint secret), a key,
// the demo merchant for the quick start and the `seed` merchant of the source document's client.
import type { EngineContext } from './context.js'
import { activeKey } from './keys.js'
import { publicHalf } from './crypto.js'
import { createMerchant, rotateMerchantSecret } from './merchants.js'
import { SEED_MERCHANT_ID } from './pay.js'

export const DEMO_MERCHANT_ID = 'demo'

export function bootstrap (ctx: EngineContext): void {
  const { db, crypto, config } = ctx
  const settings = db.get('settings', 'settings')
  if (settings === undefined) {
    db.put('settings', 'settings', {
      id: 'settings',
      admin_token: config.adminToken ?? `adm_${crypto.randomBytes(24).toString('base64url')}`,
      fingerprint_secret: crypto.randomBytes(32).toString('base64url')
    })
  } else if (config.adminToken !== undefined && settings.admin_token !== config.adminToken) {
    db.put('settings', 'settings', { ...settings, admin_token: config.adminToken })
  }
  activeKey(ctx)
  // Before rsa_public_key was checked strictly, a private key could be stored there: keep only
  // its public half, which is all that verifying the merchant's signatures ever needed.
  for (const m of db.tables.merchants.values()) {
    if (m.rsa_public_key !== null && /PRIVATE KEY/.test(m.rsa_public_key)) db.put('merchants', m.id, { ...m, rsa_public_key: publicHalf(m.rsa_public_key) })
  }
  if (db.get('merchants', DEMO_MERCHANT_ID) === undefined) createMerchant(ctx, { id: DEMO_MERCHANT_ID, name: 'Demo Shop' })
  // The seed merchant's secret follows the configuration (--seed-secret), also on a later start.
  const seed = db.get('merchants', SEED_MERCHANT_ID)
  if (seed === undefined) createMerchant(ctx, { id: SEED_MERCHANT_ID, name: 'Source document client', hmac_secret: config.seedSecret })
  else if (seed.hmac_secret !== config.seedSecret) rotateMerchantSecret(ctx, SEED_MERCHANT_ID, config.seedSecret)
}
