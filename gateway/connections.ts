// How long a client may take to send a request, and how many connections are open at once.
// Without limits a client that sends headers and then stalls (or never sends a byte) holds its
// socket forever, and enough of them use every file descriptor: then nothing, not even
// /healthz, can connect. There is deliberately no idle timeout on a connection whose request is
// being answered: the delay, timeout_not_processed and response_lost faults hold one for minutes.
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'

export interface ConnectionLimits {
  /** Most ms from a connection's first byte (or from the previous request) to the end of the request headers. */
  headersTimeoutMs: number
  /** Most ms to receive a whole request, headers and body. */
  requestTimeoutMs: number
  /** Ms an idle keep-alive connection stays open for the next request. */
  keepAliveTimeoutMs: number
  /** Most connections open at once; more are closed as soon as they are accepted. */
  maxConnections: number
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: defaultMaxConnections()
})

/** Four fifths of the process's file descriptor limit, leaving the rest for the store and notifications. */
function defaultMaxConnections (): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'))
    const soft = Number(line?.split(/\s{2,}/)[1])
    if (Number.isSafeInteger(soft) && soft > 0) return Math.max(64, Math.floor(soft * 0.8))
  } catch {}
  return 10_000
}

/** Checks limits as given by an operator; returns what is wrong, or null. */
export function connectionLimitsProblem (limits: ConnectionLimits): string | null {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) return `${name} must be a whole number ≥ 1, not ${String(value)}`
  }
  // Node refuses a headers timeout longer than the request timeout it is part of.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) return 'the headers timeout must not be longer than the request timeout'
  return null
}

/** Options of http.createServer: Node checks the two timeouts every connectionsCheckingInterval ms. */
export function httpServerOptions (limits: ConnectionLimits): { headersTimeout: number, requestTimeout: number, connectionsCheckingInterval: number, keepAliveTimeout: number } {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Often enough that a timeout is acted on within a quarter of itself, at most once a second.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)))
  }
}

/**
 * Caps the server's connections. Node closes a connection over the cap at once and emits
 * `drop`; that is logged once, and again at most once a minute (with the count) while it lasts.
 */
export function capConnections (server: Server, maxConnections: number, log: FastifyBaseLogger, now: () => number = Date.now): void {
  server.maxConnections = maxConnections
  let lastWarning = -Infinity
  let dropped = 0
  server.on('drop', () => {
    dropped++
    if (now() - lastWarning < 60_000) return
    lastWarning = now()
    log.warn({ max_connections: maxConnections, dropped }, `connection limit reached: ${maxConnections} connections are open, the most allowed (--max-connections); new connections are closed at once until some end (${dropped} closed so far)`)
  })
}
