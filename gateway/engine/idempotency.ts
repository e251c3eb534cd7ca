// Idempotency-Key handling: the first answer to a key is kept (24 h by default) and replayed for
// the same request; the same key with another request is a conflict. An operation runs
// synchronously up to its commit, so concurrent duplicates either find the stored record or the
// in-flight commit and wait for it: exactly one effect, however many arrive at once.
import { errorAnswer, type Answer } from './answers.js'
import type { EngineContext } from './context.js'
import { IDEMPOTENCY_CONFLICT, PaylabError, VALIDATION_FAILED } from './errors.js'
import type { IdempotencyRecord } from './types.js'

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255

export interface IdempotentAnswer extends Answer { replayed: boolean }

export class IdempotencyKeeper {
  readonly #inflight = new Map<string, { fingerprint: string, done: Promise<Answer> }>()

  async run (ctx: EngineContext, merchantId: string, key: string | undefined, fingerprint: string, requestId: string, op: () => Answer): Promise<IdempotentAnswer> {
    if (key === undefined) {
      const answer = settle(op, requestId)
      await ctx.db.commit()
      return { ...answer, replayed: false }
    }
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw VALIDATION_FAILED(`Idempotency-Key must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, { field: 'Idempotency-Key' })
    }
    const id = `${merchantId}\u0000${key}`
    const inflight = this.#inflight.get(id)
    if (inflight !== undefined) {
      if (inflight.fingerprint !== fingerprint) throw IDEMPOTENCY_CONFLICT(undefined, { field: 'Idempotency-Key' })
      return { ...(await inflight.done), replayed: true }
    }
    const stored = ctx.db.get('idempotency', id)
    if (stored !== undefined && stored.created_at + ctx.config.idempotencyTtlMs > ctx.clock.now()) {
      if (stored.fingerprint !== fingerprint) throw IDEMPOTENCY_CONFLICT(undefined, { field: 'Idempotency-Key' })
      return { status: stored.status, body: stored.body, replayed: true }
    }
    // An expired record leaves its place in the table: sweep() relies on insertion order being age order.
    if (stored !== undefined) ctx.db.delete('idempotency', id)
    const answer = settle(op, requestId)
    if (answer.status < 500) {
      const now = ctx.clock.now()
      ctx.db.put('idempotency', id, answer.json === true
        ? new JsonAnswerRecord(id, fingerprint, answer.status, answer.body, now)
        : { id, fingerprint, status: answer.status, body: answer.body, created_at: now })
    }
    const done = ctx.db.commit().then(() => answer)
    this.#inflight.set(id, { fingerprint, done })
    try {
      return { ...(await done), replayed: false }
    } finally {
      this.#inflight.delete(id)
    }
  }

  /** Forgets keys older than the TTL. Records sit in insertion order, so this stops at the first live one. */
  sweep (ctx: EngineContext): number {
    const horizon = ctx.clock.now() - ctx.config.idempotencyTtlMs
    let removed = 0
    for (const record of ctx.db.tables.idempotency.values()) {
      if (record.created_at > horizon) break
      ctx.db.delete('idempotency', record.id)
      removed++
    }
    return removed
  }
}

/** Runs an operation; a business error (4xx) becomes its answer so that it is replayed too. */
function settle (op: () => Answer, requestId: string): Answer {
  try {
    return op()
  } catch (err) {
    if (err instanceof PaylabError && err.statusCode < 500) return errorAnswer(err, requestId)
    throw err
  }
}

/**
 * A kept answer whose body is JSON.stringify of JSON data (Answer.json). A store's file keeps the
 * body as JSON (`answer`) rather than as a string of it: written with no escaping, ~40 % shorter,
 * and read back to the same bytes (readIdempotency). Serialized with JSON.stringify (a shared
 * store, the admin API) it is a record like any other.
 */
export class JsonAnswerRecord implements IdempotencyRecord {
  constructor (public id: string, public fingerprint: string, public status: number, public body: string, public created_at: number) {}

  storedText (): string {
    return `{"id":${JSON.stringify(this.id)},"fingerprint":${JSON.stringify(this.fingerprint)},"status":${this.status},"answer":${this.body},"created_at":${this.created_at}}`
  }
}

/** A record as a store's file kept it: `answer` (JsonAnswerRecord's text) becomes the body again. */
export function readIdempotency (stored: IdempotencyRecord & { answer?: unknown }): IdempotencyRecord {
  if (stored.answer === undefined || typeof stored.body === 'string') return stored
  return new JsonAnswerRecord(stored.id, stored.fingerprint, stored.status, JSON.stringify(stored.answer), stored.created_at)
}
