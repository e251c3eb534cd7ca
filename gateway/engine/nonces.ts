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

interface Entry { key: string, timestamp: number }

export class NonceCache {
  /** key → the timestamp it was last accepted with. */
  readonly #seen = new Map<string, number>()
  readonly #heap: Entry[] = []

  /**
   * Records `key` for a request signed at `timestamp` (unix s); returns false when it is already
   * kept. `horizon`: timestamps before it can never be accepted again.
   */
  remember (key: string, timestamp: number, horizon: number): boolean {
    this.#expire(horizon)
    if (this.#seen.has(key)) return false
    this.#seen.set(key, timestamp)
    this.#push({ key, timestamp })
    return true
  }

  get size (): number { return this.#seen.size }

  #expire (horizon: number): void {
    const h = this.#heap
    while (h.length > 0 && (h[0] as Entry).timestamp < horizon) {
      const { key, timestamp } = h[0] as Entry
      if (this.#seen.get(key) === timestamp) this.#seen.delete(key)
      const last = h.pop() as Entry
      if (h.length === 0) break
      h[0] = last
      for (let i = 0; ;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && (h[l] as Entry).timestamp < (h[m] as Entry).timestamp) m = l
        if (r < h.length && (h[r] as Entry).timestamp < (h[m] as Entry).timestamp) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m] as Entry, h[i] as Entry]
        i = m
      }
    }
  }

  #push (entry: Entry): void {
    const h = this.#heap
    h.push(entry)
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1
      if ((h[parent] as Entry).timestamp <= (h[i] as Entry).timestamp) break
      ;[h[i], h[parent]] = [h[parent] as Entry, h[i] as Entry]
      i = parent
    }
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
