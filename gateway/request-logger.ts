// Fastify gives every request a child logger that binds its reqId. With pino, making that child
// costs a couple of µs per request (its bindings serialized, its methods set up), yet at the usual
// levels (warn, error) nearly every request never logs. This factory hands out a stand-in that
// makes the real child the first time the request logs at an enabled level: the same lines,
// with the same reqId, and no work for the requests that say nothing.
import type { FastifyBaseLogger } from 'fastify'

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type Parent = FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean }

class RequestLogger {
  readonly #parent: Parent
  readonly #bindings: Record<string, unknown>
  #child: Parent | undefined

  constructor (parent: Parent, bindings: Record<string, unknown>) {
    this.#parent = parent
    this.#bindings = bindings
  }

  #real (): Parent { return (this.#child ??= this.#parent.child(this.#bindings)) }

  #enabled (level: Level): boolean {
    const logger = this.#child ?? this.#parent
    // A logger without isLevelEnabled (not pino) is asked every time.
    return logger.isLevelEnabled === undefined || logger.isLevelEnabled(level)
  }

  #log (level: Level, args: unknown[]): void {
    if (!this.#enabled(level)) return
    const real = this.#real()
    Reflect.apply(real[level], real, args)
  }

  get level (): string { return (this.#child ?? this.#parent).level }
  set level (level: string) { this.#real().level = level }
  isLevelEnabled (level: string): boolean { return this.#enabled(level as Level) }
  child (bindings: Record<string, unknown>, options?: Record<string, unknown>): FastifyBaseLogger { return this.#real().child(bindings, options) }
  fatal (...args: unknown[]): void { this.#log('fatal', args) }
  error (...args: unknown[]): void { this.#log('error', args) }
  warn (...args: unknown[]): void { this.#log('warn', args) }
  info (...args: unknown[]): void { this.#log('info', args) }
  debug (...args: unknown[]): void { this.#log('debug', args) }
  trace (...args: unknown[]): void { this.#log('trace', args) }
  silent (): void {}
}

/** Fastify's `childLoggerFactory` for the gateway's pino logger. */
export function lazyRequestLogger (logger: FastifyBaseLogger, bindings: Record<string, unknown>, options: { level?: string, serializers?: unknown }): FastifyBaseLogger {
  // A route with a level or serializers of its own gets its child at once, as Fastify makes it.
  if (options.level !== undefined || options.serializers !== undefined) return logger.child(bindings, options as Parameters<FastifyBaseLogger['child']>[1])
  return new RequestLogger(logger, bindings)
}
