// An answer is what the engine gives back to any adapter (Fastify route, msw handler): a status
// and the exact body bytes, so that replays and signatures cover the same bytes.
import { PaylabError } from './errors.js'

export interface Answer {
  status: number
  body: string
  headers?: Record<string, string>
  /** The id of the object the answer is about, for the journal; never sent. */
  ref?: string
  /**
   * The body is JSON.stringify of JSON data, so that parsing it and serializing it again gives the
   * same bytes: a store's file may keep it as JSON rather than as an escaped string (records.ts).
   */
  json?: true
}

export const jsonAnswer = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value), json: true })

export function errorObject (err: PaylabError, requestId: string): { error: Record<string, unknown> } {
  return { error: { code: err.code, message: err.message, request_id: requestId, ...err.details } }
}

export const errorAnswer = (err: PaylabError, requestId: string): Answer => jsonAnswer(err.statusCode, errorObject(err, requestId))
