// The gateway's own RSA keys: they sign RSA answers and receive card envelopes. Generated on
// first start and kept in the store; rotation keeps the previous key as `retiring` so that
// envelopes and pinned clients made with it keep working.
import { isoTime } from './clock.js'
import type { EngineContext } from './context.js'
import { newId } from './ids.js'
import type { GatewayKey } from './types.js'

export interface PublicKeyView { id: string, algorithm: 'RSA', status: GatewayKey['status'], public_key: string, created_at: string }

export function activeKey (ctx: EngineContext): GatewayKey {
  for (const key of ctx.db.tables.keys.values()) if (key.status === 'active') return key
  return addKey(ctx, ctx.config.initialKey)
}

export function privateKeyFor (ctx: EngineContext, keyId: string): string | undefined {
  return ctx.db.get('keys', keyId)?.private_key
}

export function rotateKey (ctx: EngineContext): GatewayKey {
  for (const key of ctx.db.tables.keys.values()) {
    if (key.status === 'active') ctx.db.put('keys', key.id, { ...key, status: 'retiring' })
  }
  return addKey(ctx)
}

export function publicKeys (ctx: EngineContext): PublicKeyView[] {
  return [...ctx.db.tables.keys.values()]
    .sort((a, b) => (a.status === b.status ? b.created_at.localeCompare(a.created_at) : a.status === 'active' ? -1 : 1))
    .map(({ id, algorithm, status, public_key: pk, created_at: at }) => ({ id, algorithm, status, public_key: pk, created_at: at }))
}

function addKey (ctx: EngineContext, given?: EngineContext['config']['initialKey']): GatewayKey {
  const pair = given ?? ctx.crypto.generateRsaKeyPair()
  const key: GatewayKey = {
    id: newId('key', 12),
    algorithm: 'RSA',
    status: 'active',
    public_key: pair.publicKeyPem,
    private_key: pair.privateKeyPem,
    created_at: isoTime(ctx.clock)
  }
  return ctx.db.put('keys', key.id, key)
}
