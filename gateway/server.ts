// Builds a ready gateway: engine, store and Fastify instance, from plain options. The CLI,
// the tests and the benchmark all start the gateway through here.
import { createRequire } from 'node:module'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { EngineConfig } from './engine/context.js'
import type { Clock } from './engine/clock.js'
import { nodeCrypto, type CryptoProvider } from './engine/crypto.js'
import { Engine } from './engine/engine.js'
import { newId } from './engine/ids.js'
import { redactUrl } from './engine/redact.js'
import { lazyRequestLogger } from './request-logger.js'
import { sandboxKeyPool } from './engine/sandbox-key.js'
import type { StorePort } from './engine/db.js'
import { JournalStore } from './store/journal-store.js'
import { pooledCrypto, RsaWorkerPool } from './crypto/worker-pool.js'
import { MemoryStore } from './store/memory-store.js'
import { httpTransport } from './notify/http-transport.js'
import type { TransportFaults } from './plugins/transport-faults.js'
import type { NotificationTransport } from './engine/outbox.js'
import app from './app.js'
import { CHANNEL_PROFILES, registerChannels, type ChannelProfile } from './channels/index.js'
import { BODY_LIMIT } from './plugins/raw-body.js'
import { clientErrorHandler, frameworkErrors, MAX_PARAM_LENGTH } from './plugins/errors.js'
import { capConnections, connectionLimitsProblem, DEFAULT_CONNECTION_LIMITS, httpServerOptions, type ConnectionLimits } from './connections.js'

export interface GatewayOptions {
  /** Folder of the embedded store; ignored when `memory` is set or a store is given. */
  dataDir?: string
  memory?: boolean
  store?: StorePort
  /**
   * postgres://…: the PostgreSQL store, shared with every gateway given the same database
   * (docs/postgres.md). Its driver loads only then.
   */
  databaseUrl?: string
  clock?: Clock
  crypto?: CryptoProvider
  /** Worker threads for RSA private-key work (default: the CPUs the process may use, within its cgroup quota); unused with `crypto`. */
  rsaWorkers?: number
  /** How connection faults are acted out: on the socket by default. */
  transportFaults?: TransportFaults
  /** How notifications are delivered (HTTP by default). */
  transport?: NotificationTransport
  config?: Partial<EngineConfig>
  /**
   * Called once if an fsync of the store fails (what is on disk is then unknown, and the store
   * takes no more writes); the CLI ends the process with one line. Full disks do not call it.
   */
  onStorageFatal?: (err: Error) => void
  /** The channel profiles served (all of gateway/channels/index.ts by default). */
  channels?: readonly ChannelProfile[]
  /**
   * Whether the sandbox dashboard is served at /dashboard (true by default). A gateway only API
   * clients talk to (a CI job, a test) may leave it out: its ~30 routes are about a sixth of a
   * gateway's build.
   */
  dashboard?: boolean
  /** pino options, or false for no logs. */
  logger?: boolean | Record<string, unknown>
  /** Request timeouts and the connection cap (docs/operations.md); DEFAULT_CONNECTION_LIMITS for what is not given. */
  connections?: Partial<ConnectionLimits>
  /**
   * Runs once the gateway is built, after its channels' own onReady, while an in-memory gateway
   * still hands out the shipped TEST ONLY keys (paylab start: the demo merchant's WeChat Pay keys).
   */
  onReady?: (engine: Engine) => Promise<void>
}

/** Header and field names whose values never reach a log line. */
export const REDACT_PATHS = [
  'req.headers["paylab-signature"]', 'req.headers.signature', 'req.headers.authorization', 'req.headers["idempotency-key"]',
  'res.headers["paylab-signature"]', 'res.headers.signature',
  '*.hmac_secret', '*.private_key', '*.admin_token', '*.number', '*.cvc', '*.card'
]

export async function buildGateway (options: GatewayOptions = {}): Promise<{ app: FastifyInstance, engine: Engine }> {
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connections }
  const problem = connectionLimitsProblem(limits)
  if (problem !== null) throw new RangeError(`connection limits: ${problem}`)
  const store = options.store ?? (options.databaseUrl !== undefined
    ? await postgresStore(options.databaseUrl)
    : options.memory === true ? new MemoryStore() : new JournalStore(options.dataDir ?? '.paylab', { onFatal: options.onStorageFatal }))
  // RSA private-key work (card envelopes, RSA-signed answers) runs on worker threads, unless the
  // caller brings a provider of its own (a test's deterministic one keeps its sync forms).
  const rsaPool = options.crypto === undefined ? new RsaWorkerPool(options.rsaWorkers) : undefined
  const crypto = rsaPool === undefined ? options.crypto : pooledCrypto(nodeCrypto, rsaPool)
  // An in-memory gateway keeps nothing, so it starts with the shipped test-only keys rather than
  // spending a few hundred ms of its start on each key it would generate.
  const keyPool = options.memory === true ? sandboxKeyPool(crypto ?? nodeCrypto) : undefined
  const engine = await Engine.open({ store, clock: options.clock, crypto: keyPool?.crypto ?? crypto, config: options.config, transport: options.transport ?? httpTransport })
  const channels = options.channels ?? CHANNEL_PROFILES
  registerChannels(engine, channels)
  const logger = options.logger === undefined || options.logger === false
    ? false
    : {
        ...(options.logger === true ? {} : options.logger),
        redact: { paths: REDACT_PATHS, censor: '[redacted]' },
        serializers: {
          // Query values of secret-sounding names are redacted too (docs/operations.md#the-request-log).
          req: (req: { method: string, url: string, headers: Record<string, unknown> }) => ({ method: req.method, url: redactUrl(req.url), headers: req.headers })
        }
      }
  const fastify = Fastify({
    logger,
    bodyLimit: BODY_LIMIT,
    http: httpServerOptions(limits),
    // Fastify sets these two on the server after creating it (0 and 72 s unless given).
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    genReqId: () => newId('req', 16),
    requestIdHeader: false,
    // Fastify answers 404 for an unknown method on a known path; the error handler names it.
    return503OnClosing: true,
    // Router and HTTP-parser rejections answer in the gateway's JSON error shape too; path
    // parameters up to MAX_PARAM_LENGTH reach the schema, which names the field at fault.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
    schemaController: { compilersFactory: lazyCompilers },
    ...(logger === false ? {} : { childLoggerFactory: lazyRequestLogger })
  })
  capConnections(fastify.server, limits.maxConnections, fastify.log)
  await fastify.register(app, { engine, channels, dashboard: options.dashboard ?? true, ...(options.transportFaults === undefined ? {} : { transportFaults: options.transportFaults }) })
  // Due work (expiry, pending resolution, notification retries) runs by itself; a virtual clock
  // only moves when told to, so there the ticker finds only what is due at the current moment.
  const ticker = setInterval(() => { engine.tick() }, 1000).unref()
  const sweeper = setInterval(() => { void engine.sweep() }, 60_000).unref()
  fastify.addHook('onClose', async () => {
    clearInterval(ticker)
    clearInterval(sweeper)
    await engine.close()
    await rsaPool?.close()
  })
  await fastify.ready()
  for (const profile of channels) await profile.onReady?.(engine)
  await options.onReady?.(engine)
  keyPool?.close()
  return { app: fastify, engine }
}

// Fastify's dependencies, resolved from Fastify's own folder (a strict node_modules, as pnpm's,
// does not let the gateway's files reach them).
const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'))
type Compilers = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type Factory = (...args: unknown[]) => unknown

/** What require(name)() gives, made on the first call and kept. */
function onFirstCall (name: string): Factory {
  let made: Factory | undefined
  return (...args) => (made ??= (fastifyRequire(name) as () => Factory)())(...args)
}

/**
 * Fastify's own schema compilers, loaded when a route first needs one. Fastify requires both
 * (Ajv, fast-json-stringify and their dependencies) as an instance is created: about a third of a
 * process's first gateway build. The gateway validates with its own compiler (plugins/openapi.ts)
 * and declares no response schema, so most processes never need either.
 */
const lazyCompilers = {
  buildValidator: onFirstCall('@fastify/ajv-compiler'),
  buildSerializer: onFirstCall('@fastify/fast-json-stringify-compiler')
} as unknown as Compilers

async function postgresStore (url: string): Promise<StorePort> {
  const { PostgresStore } = await import('./store/postgres/postgres-store.js')
  return new PostgresStore({ url })
}
