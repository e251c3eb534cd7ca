// The retrying commit loop: how a change meets a store that other gateways write to as well.
// A commit the store refuses (another gateway changed the same records first) is undone; the
// change runs again on the state caught up with, and answers as one gateway would have.
import type { EngineContext } from './context.js'
import { REPLAYED_REQUEST, STORAGE_UNAVAILABLE } from './errors.js'
import type { RuleBook } from './rules.js'
import { StoreConflict } from './store-conflict.js'

/**
 * Times an operation is run when a shared store keeps refusing its commit because other gateways
 * changed the same records first; each run follows a catch-up, so this is only reached when one
 * record is fought over by many at once.
 */
const MAX_RUNS = 20

/** Runs `run` until the store takes its commit (or MAX_RUNS, or an error other than a conflict). */
export async function retrying<T> (ctx: EngineContext, run: () => Promise<T>): Promise<T> {
  for (let runs = 1; ; runs++) {
    try {
      return await run()
    } catch (err) {
      if (!(err instanceof StoreConflict)) throw err
      // Another gateway accepted this nonce first: the request is a replay there.
      if (err.table === 'nonces') throw REPLAYED_REQUEST(undefined, { header: 'Paylab-Nonce' })
      if (runs >= MAX_RUNS) throw STORAGE_UNAVAILABLE('other gateways on the same database keep changing the records of this request first; nothing of it was stored, retry in a moment', { retry_after: 1 })
      await ctx.db.catchUp()
    }
  }
}

/** Runs a synchronous operation and commits what it changed, again on a conflict (see retrying). */
export function commit<T> (ctx: EngineContext, op: () => T): Promise<T> {
  return retrying(ctx, async () => {
    const result = op()
    await ctx.db.commit()
    return result
  })
}

/**
 * After the sandbox decided on a request: with a shared store, the rule hits it counted are
 * committed before they are acted on, so that `times` holds across gateways. Resolves false when
 * another gateway counted a hit on the same rule first: decide again (on the count caught up
 * with). Undefined when nothing is to be committed.
 */
export function commitHits (ctx: EngineContext, rules: RuleBook): Promise<boolean> | undefined {
  if (!rules.takeHits()) return undefined
  return ctx.db.commit().then(() => true, async (err: unknown) => {
    if (!(err instanceof StoreConflict)) throw err
    if (err.table === 'nonces') throw REPLAYED_REQUEST(undefined, { header: 'Paylab-Nonce' })
    await ctx.db.catchUp()
    return false
  })
}
