// Merchants and their credentials. The HMAC secret is shown when it is created or rotated and
// never again; views leave it out.
import { isoTime } from './clock.js'
import type { EngineContext } from './context.js'
import { MERCHANT_EXISTS, MERCHANT_NOT_FOUND, RSA_KEY_INVALID } from './errors.js'
import { readRsaPublicKey } from './crypto.js'
import { newId, newSecret } from './ids.js'
import { checkNotifyUrl } from './urls.js'
import type { SignatureType } from './signing.js'
import type { Merchant } from './types.js'

export interface MerchantInput {
  id?: string | undefined
  name?: string | undefined
  hmac_secret?: string | undefined
  rsa_public_key?: string | null | undefined
  notify_url?: string | null | undefined
  answer_signature_type?: SignatureType | undefined
  notify_retry_schedule?: number[] | null | undefined
}

export type MerchantView = Omit<Merchant, 'hmac_secret'>

export function merchantView ({ hmac_secret: _secret, ...view }: Merchant): MerchantView {
  return { ...view, notify_retry_schedule: view.notify_retry_schedule ?? null }
}

export function getMerchant (ctx: EngineContext, id: string): Merchant {
  const merchant = ctx.db.get('merchants', id)
  if (merchant === undefined) throw MERCHANT_NOT_FOUND(`no merchant has the id ${JSON.stringify(id)}`, { merchant_id: id })
  return merchant
}

export function createMerchant (ctx: EngineContext, input: MerchantInput): Merchant {
  const id = input.id ?? newId('mch', 12)
  if (ctx.db.get('merchants', id) !== undefined) throw MERCHANT_EXISTS(undefined, { merchant_id: id })
  const now = isoTime(ctx.clock)
  const merchant: Merchant = {
    id,
    name: input.name ?? id,
    hmac_secret: input.hmac_secret ?? newSecret(),
    rsa_public_key: checkRsaKey(input.rsa_public_key ?? null),
    notify_url: input.notify_url == null ? null : checkNotifyUrl(input.notify_url, 'notify_url', ctx.config.notifyHosts),
    answer_signature_type: input.answer_signature_type ?? 'HMAC-SHA256',
    notify_retry_schedule: input.notify_retry_schedule ?? null,
    created_at: now,
    updated_at: now
  }
  return ctx.db.put('merchants', id, merchant)
}

export function updateMerchant (ctx: EngineContext, id: string, patch: Omit<MerchantInput, 'id' | 'hmac_secret'>): Merchant {
  const merchant = getMerchant(ctx, id)
  const next: Merchant = { ...merchant, updated_at: isoTime(ctx.clock) }
  if (patch.name !== undefined) next.name = patch.name
  if (patch.rsa_public_key !== undefined) next.rsa_public_key = checkRsaKey(patch.rsa_public_key)
  if (patch.notify_url !== undefined) next.notify_url = patch.notify_url === null ? null : checkNotifyUrl(patch.notify_url, 'notify_url', ctx.config.notifyHosts)
  if (patch.answer_signature_type !== undefined) next.answer_signature_type = patch.answer_signature_type
  if (patch.notify_retry_schedule !== undefined) next.notify_retry_schedule = patch.notify_retry_schedule
  return ctx.db.put('merchants', id, next)
}

/** Replaces the HMAC secret (with the given one, or a fresh one); the old one stops working at once. */
export function rotateMerchantSecret (ctx: EngineContext, id: string, secret?: string): Merchant {
  const merchant = getMerchant(ctx, id)
  return ctx.db.put('merchants', id, { ...merchant, hmac_secret: secret ?? newSecret(), updated_at: isoTime(ctx.clock) })
}

function checkRsaKey (pem: string | null): string | null {
  if (pem === null) return null
  // The message names the problem, never the value: it may be a private key.
  const read = readRsaPublicKey(pem)
  if ('problem' in read) throw RSA_KEY_INVALID(`rsa_public_key ${read.problem}`, { field: 'rsa_public_key' })
  return read.pem
}
