// `paylab gateway`: parses options, starts the gateway, prints how to reach it, and shuts down
// cleanly on SIGINT/SIGTERM (in-flight requests finish, the store is compacted and closed). The
// gateway's modules load after the options are parsed, so --help and a usage error are instant.
import { parseArgs } from 'node:util'
import { loggerOptions, parseLogOptions } from './log-options.js'
import { defaultRsaWorkers } from './crypto/parallelism.js'
import { connectionLimitsProblem, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './connections.js'

// The channel profiles' names (gateway/channels/index.ts), here so that --help and a usage error
// need not load the profiles; test/cli.test.ts checks that the two lists agree.
export const CHANNEL_NAMES = ['paylab', 'wechatpay', 'stripe', 'alipay'] as const

export const GATEWAY_USAGE = `Usage: paylab gateway [options]

  --host <host>             address to listen on (default 127.0.0.1)
  --port <port>             port to listen on; 0 picks a free one (default 7400)
  --data-dir <dir>          folder of the embedded store (default .paylab)
  --memory                  keep nothing on disk
  --database-url <url>      postgres://…: the PostgreSQL store, shared by every gateway on the same
                            database (env PAYLAB_DATABASE_URL; docs/postgres.md)
  --clock <real|virtual>    virtual: time moves only by POST /admin/clock/advance (default real)
  --admin-token <token>     admin API token (default: generated once, kept in the store)
  --public-url <url>        URL buyers' browsers reach the gateway at (default http://HOST:PORT)
  --allow-plaintext-cards   accept unencrypted card numbers (sandbox convenience)
  --channels <names>        comma-separated channel protocols to serve, paylab among them
                            (default: all of ${CHANNEL_NAMES.join(',')})
  --no-dashboard            leave out the dashboard at /dashboard (an API-only gateway builds faster)
  --timestamp-tolerance <s> largest Paylab-Timestamp skew accepted, seconds (default 300)
  --no-signature-hints      leave string_to_sign out of PAYLAB_SIGNATURE_INVALID answers
  --notify-hosts <globs>    comma-separated hosts notify_url may target, * for any (default: loopback)
  --seed-secret <secret>    HMAC secret of the /pay client's merchant (default your-api-key)
  --log-level <level>       pino level: fatal, error, warn, info, debug, trace, silent (default info)
  --log-format <format>     json (pino lines) or pretty (for a person); default pretty on a terminal, else json
  --headers-timeout <s>     most seconds to receive a request's headers (default ${DEFAULT_CONNECTION_LIMITS.headersTimeoutMs / 1000})
  --request-timeout <s>     most seconds to receive a whole request (default ${DEFAULT_CONNECTION_LIMITS.requestTimeoutMs / 1000})
  --keep-alive-timeout <s>  seconds an idle keep-alive connection stays open (default ${DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs / 1000})
  --max-connections <n>     most connections open at once (default ${DEFAULT_CONNECTION_LIMITS.maxConnections}: 4/5 of the file limit)
  --rsa-workers <n>         threads for RSA private-key work: card envelopes, RSA-signed answers and
                            notifications (default: the CPUs this process may use, within its cgroup quota)
  -h, --help                this text
`

export async function runGateway (argv: string[]): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '7400' },
        'data-dir': { type: 'string', default: '.paylab' },
        memory: { type: 'boolean', default: false },
        'database-url': { type: 'string' },
        clock: { type: 'string', default: 'real' },
        'admin-token': { type: 'string' },
        'public-url': { type: 'string' },
        'allow-plaintext-cards': { type: 'boolean', default: false },
        channels: { type: 'string' },
        'no-dashboard': { type: 'boolean', default: false },
        'timestamp-tolerance': { type: 'string', default: '300' },
        'no-signature-hints': { type: 'boolean', default: false },
        'seed-secret': { type: 'string', default: 'your-api-key' },
        'notify-hosts': { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        'headers-timeout': { type: 'string' },
        'request-timeout': { type: 'string' },
        'keep-alive-timeout': { type: 'string' },
        'max-connections': { type: 'string' },
        'rsa-workers': { type: 'string' },
        'log-format': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }))
  } catch (err) {
    process.stderr.write(`paylab gateway: ${(err as Error).message}\n\n${GATEWAY_USAGE}`)
    return 2
  }
  if (values.help) { process.stdout.write(GATEWAY_USAGE); return 0 }
  const port = Number(values.port)
  const tolerance = Number(values['timestamp-tolerance'])
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usageError(`--port must be 0–65535, not ${values.port}`)
  if (!Number.isInteger(tolerance) || tolerance < 1) return usageError('--timestamp-tolerance must be a whole number of seconds ≥ 1')
  if (values.clock !== 'real' && values.clock !== 'virtual') return usageError(`--clock must be real or virtual, not ${values.clock}`)
  const log = parseLogOptions(values['log-level'], values['log-format'])
  if ('error' in log) return usageError(log.error)
  const channelNames = values.channels === undefined ? undefined : values.channels.split(',').map((n) => n.trim()).filter(Boolean)
  const unknown = channelNames?.find((n) => !(CHANNEL_NAMES as readonly string[]).includes(n))
  if (unknown !== undefined) return usageError(`--channels: no channel named ${unknown}; one of ${CHANNEL_NAMES.join(', ')}`)
  // Records that name no channel (the /pay client's, the admin API's) are paylab's.
  if (channelNames !== undefined && !channelNames.includes('paylab')) return usageError('--channels must include paylab, the gateway\'s own protocol')
  const rsaWorkers = values['rsa-workers'] === undefined ? defaultRsaWorkers() : /^\d+$/.test(values['rsa-workers']) ? Number(values['rsa-workers']) : NaN
  if (!(rsaWorkers >= 1 && rsaWorkers <= 256)) return usageError('--rsa-workers must be a whole number from 1 to 256')

  const [{ default: closeWithGrace }, { VirtualClock }, { DEMO_MERCHANT_ID }, { SEED_MERCHANT_ID }, { buildGateway }, { CHANNEL_PROFILES }] = await Promise.all([
    import('close-with-grace'), import('./engine/clock.js'), import('./engine/engine.js'), import('./engine/pay.js'), import('./server.js'), import('./channels/index.js')
  ])
  const connections: ConnectionLimits = {
    headersTimeoutMs: seconds(values['headers-timeout'], DEFAULT_CONNECTION_LIMITS.headersTimeoutMs),
    requestTimeoutMs: seconds(values['request-timeout'], DEFAULT_CONNECTION_LIMITS.requestTimeoutMs),
    keepAliveTimeoutMs: seconds(values['keep-alive-timeout'], DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs),
    maxConnections: values['max-connections'] === undefined ? DEFAULT_CONNECTION_LIMITS.maxConnections : /^\d+$/.test(values['max-connections']) ? Number(values['max-connections']) : NaN
  }
  for (const [flag, value] of [['--headers-timeout', connections.headersTimeoutMs], ['--request-timeout', connections.requestTimeoutMs], ['--keep-alive-timeout', connections.keepAliveTimeoutMs]] as const) {
    if (!(value >= 1)) return usageError(`${flag} must be a number of seconds > 0`)
  }
  if (!(connections.maxConnections >= 1) || !Number.isSafeInteger(connections.maxConnections)) return usageError('--max-connections must be a whole number ≥ 1')
  const limitsProblem = connectionLimitsProblem(connections)
  if (limitsProblem !== null) return usageError(limitsProblem.replace('headers timeout', '--headers-timeout').replace('request timeout', '--request-timeout'))

  const databaseUrl = values['database-url'] ?? (process.env.PAYLAB_DATABASE_URL === '' ? undefined : process.env.PAYLAB_DATABASE_URL)
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) return usageError('--database-url must be a postgres:// URL')
  if (databaseUrl !== undefined && values.memory) return usageError('--database-url and --memory exclude each other')
  let gateway
  try {
    gateway = await buildGateway({
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
      dataDir: values['data-dir'],
      memory: values.memory,
      ...(channelNames === undefined ? {} : { channels: CHANNEL_PROFILES.filter((p) => channelNames.includes(p.name)) }),
      dashboard: !values['no-dashboard'],
      ...(values.clock === 'virtual' ? { clock: new VirtualClock() } : {}),
      logger: await loggerOptions(log),
      connections,
      rsaWorkers,
      // Nothing more can be made durable, nor said about what is: stop, without a close that writes.
      onStorageFatal: (err) => { process.stderr.write(`paylab gateway: stopping: ${err.message}\n`); process.exit(1) },
      config: {
        adminToken: values['admin-token'],
        allowPlaintextCards: values['allow-plaintext-cards'],
        timestampToleranceSec: tolerance,
        signatureHints: !values['no-signature-hints'],
        seedSecret: values['seed-secret'],
        ...(values['notify-hosts'] === undefined ? {} : { notifyHosts: values['notify-hosts'].split(',').map((h) => h.trim()).filter(Boolean) }),
        ...(values['public-url'] === undefined ? {} : { publicUrl: values['public-url'] })
      }
    })
  } catch (err) {
    if (databaseUrl !== undefined) {
      process.stderr.write(`paylab gateway: cannot use the database ${databaseLabel(databaseUrl)}: ${(err as Error).message}\n`)
      return 1
    }
    return startFailure(err, `cannot use the data dir ${values['data-dir']}`)
  }
  const { app, engine } = gateway
  let address
  try {
    address = await app.listen({ host: values.host, port })
  } catch (err) {
    await app.close()
    return startFailure(err, `cannot listen on ${values.host}:${port}`)
  }
  const url = new URL(address)
  if (values['public-url'] === undefined) engine.setPublicUrl(url.origin)

  const demo = engine.merchant(DEMO_MERCHANT_ID)
  process.stdout.write([
    '',
    `paylab gateway listening on ${url.origin}  (port ${url.port})`,
    `  store:          ${databaseUrl !== undefined ? `PostgreSQL ${databaseLabel(databaseUrl)}` : values.memory ? 'in memory (nothing kept)' : values['data-dir']}`,
    `  clock:          ${values.clock}`,
    `  API docs:       ${url.origin}/docs`,
    ...(values['no-dashboard'] ? [] : [`  dashboard:      ${url.origin}/dashboard  (log in with the admin token)`]),
    `  channels:       ${engine.channelNames.join(', ')}`,
    `  RSA workers:    ${rsaWorkers} (threads for card envelopes and RSA signatures; --rsa-workers)`,
    `  admin token:    ${engine.adminToken}`,
    `  demo merchant:  Paylab-Merchant: ${demo.id}   HMAC secret: ${demo.hmac_secret}`,
    `  /pay client:    merchant ${SEED_MERCHANT_ID}, secret ${engine.merchant(SEED_MERCHANT_ID).hmac_secret}`,
    ''
  ].join('\n') + '\n')

  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    await app.close()
  })
  return 0
}

/** A database URL without its credentials, for messages. */
function databaseLabel (url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}${u.port === '' ? '' : `:${u.port}`}${u.pathname}`
  } catch {
    return '(unparsable URL)'
  }
}

/** Seconds as given on the command line (decimals allowed) in ms; NaN when not a number. */
function seconds (text: string | undefined, defaultMs: number): number {
  if (text === undefined) return defaultMs
  return /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : NaN
}

/**
 * A start that fails on the system (a data dir that is read-only, missing or a file; a port in
 * use) ends with one line that says what and why, and exit code 1, not a stack trace. Anything
 * else is a paylab bug and keeps its stack.
 */
function startFailure (err: unknown, what: string): number {
  const e = err as NodeJS.ErrnoException
  if (typeof e?.code !== 'string' || typeof e.syscall !== 'string') throw err
  const why = SYSTEM_REASONS.get(e.code) ?? e.message
  process.stderr.write(`paylab gateway: ${what}: ${why} (${e.code}, ${e.syscall}${e.path === undefined ? '' : ` ${e.path}`})\n`)
  return 1
}

const SYSTEM_REASONS = new Map([
  ['EACCES', 'permission denied'],
  ['EPERM', 'operation not permitted'],
  ['EROFS', 'the file system is read-only'],
  ['ENOENT', 'no such file or folder'],
  ['ENOTDIR', 'a part of the path is a file, not a folder'],
  ['EISDIR', 'a folder is where a file should be'],
  ['ENOSPC', 'no space left on the device'],
  ['EADDRINUSE', 'the address is already in use (another gateway?); choose another --port, or 0 for a free one'],
  ['EADDRNOTAVAIL', 'no network interface has this address']
])

function usageError (message: string): number {
  process.stderr.write(`paylab gateway: ${message}\n\n${GATEWAY_USAGE}`)
  return 2
}
