// Backoff between attempts: exponential with full jitter, and never sooner than Retry-After.
import { PaylabApiError } from './errors.js'
import type { RetryPolicy } from './options.js'

/** Longest Retry-After the client waits for; a longer one fails the call instead. */
export const MAX_RETRY_AFTER_MS = 60_000

/** The wait before attempt `attempt + 1`, or Infinity when Retry-After asks for more than MAX_RETRY_AFTER_MS. */
export function backoffMs (attempt: number, policy: RetryPolicy, random: () => number, err?: unknown): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  const jitter = Math.floor(random() * ceiling)
  const retryAfter = err instanceof PaylabApiError && err.retryAfter !== undefined && Number.isFinite(err.retryAfter) ? err.retryAfter * 1000 : 0
  if (retryAfter > MAX_RETRY_AFTER_MS) return Infinity
  return Math.max(jitter, retryAfter)
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
