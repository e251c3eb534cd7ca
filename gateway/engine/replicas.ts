// Gateways that share one store: what each takes from the others' commits besides the records
// themselves — the nonces they accepted (a signed request is accepted once, on any of them) and
// the virtual clock, which they keep as one, the first one's.
import { VirtualClock } from './clock.js'
import type { EngineContext } from './context.js'
import { nonceHorizon } from './auth.js'
import type { NonceCache } from './nonces.js'
import type { ClockRecord, NonceRecord } from './types.js'

/** A shared store and a virtual clock: the first gateway stores its time, the others adopt it. */
export function shareClock (ctx: EngineContext): void {
  const { db, clock } = ctx
  if (!db.shared || !(clock instanceof VirtualClock)) return
  const stored = db.get('clock', 'clock')
  if (stored === undefined) db.put('clock', 'clock', { id: 'clock', now_ms: clock.now() })
  else clock.adopt(stored.now_ms)
}

/** Follows the nonces other gateways accept and the shared virtual clock they move. */
export function followReplicas (ctx: EngineContext, nonces: NonceCache): void {
  ctx.db.onRemote((table, id, value) => {
    if (table === 'nonces' && value !== undefined) nonces.remember(id, (value as NonceRecord).timestamp, nonceHorizon(ctx))
    // Another gateway moved the shared virtual clock.
    const clock = ctx.clock
    if (table === 'clock' && value !== undefined && clock instanceof VirtualClock && (value as ClockRecord).now_ms > clock.now()) clock.set((value as ClockRecord).now_ms)
  })
}
