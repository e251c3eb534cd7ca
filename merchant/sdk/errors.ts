// What can go wrong when talking to the channel, as types a caller can branch on.
export class PaylabError extends Error {
  override name = 'PaylabError'
}

/** The gateway answered (with a verified signature) and refused the request. */
export class PaylabApiError extends PaylabError {
  override name = 'PaylabApiError'
  constructor (
    message: string,
    readonly code: string,
    readonly statusCode: number,
    readonly requestId: string | undefined,
    readonly details: Record<string, unknown> = {},
    /** Seconds to wait before retrying, from Retry-After. */
    readonly retryAfter?: number
  ) { super(message) }
}

/** No answer: the connection failed, was reset or closed early. The request may have been processed. */
export class PaylabNetworkError extends PaylabError {
  override name = 'PaylabNetworkError'
  constructor (message: string, readonly code: string | undefined) { super(message) }
}

/** No answer in time. The request may have been processed. */
export class PaylabTimeoutError extends PaylabError {
  override name = 'PaylabTimeoutError'
}

/** An answer came but cannot be trusted: unsigned, tampered, stale, or signed by an unknown key. */
export class PaylabSignatureError extends PaylabError {
  override name = 'PaylabSignatureError'
}

/** A verified answer whose body is not what the protocol promises (e.g. broken JSON). */
export class PaylabMalformedAnswerError extends PaylabError {
  override name = 'PaylabMalformedAnswerError'
}

/** Whether the outcome of a request is unknown (it may or may not have been processed). */
export function isAmbiguous (err: unknown): boolean {
  return err instanceof PaylabNetworkError || err instanceof PaylabTimeoutError ||
    err instanceof PaylabSignatureError || err instanceof PaylabMalformedAnswerError ||
    (err instanceof PaylabApiError && (err.statusCode >= 500 || err.statusCode === 429))
}
