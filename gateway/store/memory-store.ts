// Keeps nothing: for --memory and for tests.
import type { Change, Snapshot, StorePort } from '../engine/db.js'

export class MemoryStore implements StorePort {
  readonly appended: Change[][] = []
  readonly #initial: Snapshot
  /** `initial`: what the store holds when opened (e.g. merchants and keys kept across a reset). */
  constructor (initial: Snapshot = {}) { this.#initial = initial }
  async open (): Promise<Snapshot> { return structuredClone(this.#initial) }
  async append (changes: Change[]): Promise<void> { this.appended.push(changes) }
  async close (): Promise<void> {}
}
