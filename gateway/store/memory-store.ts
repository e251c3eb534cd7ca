// Keeps nothing: for --memory and for tests.
import type { Change, Snapshot, StorePort } from '../engine/db.js'

export class MemoryStore implements StorePort {
  readonly #initial: Snapshot
  /** `initial`: what the store holds when opened (e.g. merchants and keys kept across a reset). */
  constructor (initial: Snapshot = {}) { this.#initial = initial }
  async open (): Promise<Snapshot> { return structuredClone(this.#initial) }
  // Nothing is kept of a change (the engine's tables hold the records): a list of every change
  // made would grow without end in a long-running --memory gateway, each with its record's text.
  async append (_changes: Change[]): Promise<void> {}
  async close (): Promise<void> {}
}
