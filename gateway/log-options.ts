// How a paylab process logs: pino's JSON lines for a machine (a CI job, a container, a file), and
// pino-pretty's one line per entry for a person at a terminal, the default when stdout is a TTY.
// `--log-level` and `--log-format json|pretty` choose (paylab gateway, paylab start).

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export const LOG_FORMATS = ['json', 'pretty'] as const
export type LogFormat = typeof LOG_FORMATS[number]

/** Checks --log-level and --log-format; the format defaults by whether stdout is a terminal. */
export function parseLogOptions (level: string, format: string | undefined, isTty = process.stdout.isTTY === true): { level: string, format: LogFormat } | { error: string } {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) return { error: `--log-level must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(level)}` }
  if (format === undefined) return { level, format: isTty ? 'pretty' : 'json' }
  if (format !== 'json' && format !== 'pretty') return { error: `--log-format must be json or pretty, not ${JSON.stringify(format)}` }
  return { level, format }
}

/** pino options for Fastify's `logger`; pino-pretty is loaded only when it is used. */
export async function loggerOptions ({ level, format }: { level: string, format: LogFormat }, name?: string): Promise<Record<string, unknown>> {
  const named = name === undefined ? {} : { name }
  if (format === 'json') return { level, ...named }
  const { default: pretty } = await import('pino-pretty')
  // In the main thread, written as it comes (no worker thread to start, nothing lost at exit).
  const stream = pretty({ colorize: process.stdout.isTTY === true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
  return { level, ...named, stream }
}
