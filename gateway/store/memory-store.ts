// Keeps nothing: for --memory and for tests.
import type { Change, Snapshot, StorePort } from '../engine/db.js'

export class MemoryStore implements StorePort {
  readonly appended: Change[][] = []
  async open (): Promise<Snapshot> { return {} }
  async append (changes: Change[]): Promise<void> { this.appended.push(changes) }
  async close (): Promise<void> {}
}
