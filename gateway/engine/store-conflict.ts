// A shared store (several gateways on one database) refuses a commit when a record it changes was
// changed by another gateway since this one read it, or when a record it creates exists already
// (an order id, an idempotency key, a nonce another gateway took first). Nothing of the commit is
// stored and the Db undoes it; the engine catches up with the store and runs the operation again,
// so that its answer is the one a single gateway would have given.

export class StoreConflict extends Error {
  /** The record that conflicted; undefined for a commit refused because an earlier one conflicted. */
  readonly table: string | undefined
  readonly id: string | undefined
  constructor (message: string, table?: string, id?: string) {
    super(message)
    this.name = 'StoreConflict'
    this.table = table
    this.id = id
  }
}
