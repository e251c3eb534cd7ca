// Replay protection: a signed request is accepted at most once for as long as its timestamp is
// acceptable. A nonce is kept, per merchant, until no clock the gateway accepts timestamps on
// can come within the tolerance of its request's timestamp again: clocks only move forward, so
// that is once each is past timestamp + tolerance (`horizon`, see auth.ts). Retention follows
// the request's own timestamp, so it covers the whole window on both sides, and a virtual clock
// that stands still keeps its nonces. A min-heap by timestamp finds what has expired in O(log n).
//
// Across a restart (docs/guarantees.md): the nonce of a mutation is stored in the same commit as
// the mutation (the `nonces` table, no fsync of its own) and read back at the start; the nonce of
// a read is kept in memory only.
import type { EngineContext } from './context.js'

export class NonceCache {
  /** key → the timestamp it was last accepted with. */
  readonly #seen = new Map<string, number>()
  // The min-heap by timestamp, as two parallel arrays: no object per remembered nonce.
  readonly #keys: string[] = []
  readonly #times: number[] = []

  /**
   * Records `key` for a request signed at `timestamp` (unix s); returns false when it is already
   * kept. `horizon`: timestamps before it can never be accepted again.
   */
  remember (key: string, timestamp: number, horizon: number): boolean {
    this.#expire(horizon)
    if (this.#seen.has(key)) return false
    this.#seen.set(key, timestamp)
    this.#push(key, timestamp)
    return true
  }

  get size (): number { return this.#seen.size }

  #expire (horizon: number): void {
    const keys = this.#keys
    const times = this.#times
    while (times.length > 0 && (times[0] as number) < horizon) {
      const key = keys[0] as string
      if (this.#seen.get(key) === times[0]) this.#seen.delete(key)
      const lastKey = keys.pop() as string
      const lastTime = times.pop() as number
      if (times.length === 0) break
      // Sift the last entry down from the root.
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = -1
        let t = lastTime
        if (l < times.length && (times[l] as number) < t) { m = l; t = times[l] as number }
        if (r < times.length && (times[r] as number) < t) m = r
        if (m < 0) break
        keys[i] = keys[m] as string
        times[i] = times[m] as number
        i = m
      }
      keys[i] = lastKey
      times[i] = lastTime
    }
  }

  #push (key: string, timestamp: number): void {
    const keys = this.#keys
    const times = this.#times
    let i = times.length
    keys.push(key)
    times.push(timestamp)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((times[parent] as number) <= timestamp) break
      keys[i] = keys[parent] as string
      times[i] = times[parent] as number
      i = parent
    }
    keys[i] = key
    times[i] = timestamp
  }
}

export const nonceKey = (merchantId: string, nonce: string): string => `${merchantId}\u0000${nonce}`

/** The nonces of mutations stored before a restart, back in the cache. */
export function loadNonces (ctx: EngineContext, cache: NonceCache, horizon: number): void {
  for (const record of ctx.db.tables.nonces.values()) cache.remember(record.id, record.timestamp, horizon)
}

/**
 * Deletes stored nonces whose timestamps can no longer be accepted. Rows sit in the order they
 * were accepted, within a window of timestamp order, so this stops at the first live one (a row
 * behind it waits for a later sweep).
 */
export function sweepNonces (ctx: EngineContext, horizon: number): number {
  let removed = 0
  for (const record of ctx.db.tables.nonces.values()) {
    if (record.timestamp >= horizon) break
    ctx.db.delete('nonces', record.id)
    removed++
  }
  return removed
}
