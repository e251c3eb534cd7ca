// `npm run bench [-- --duration 10 --connections 64 --payments 100000 --rounds 1 --json]`
//
// First the cold start of `paylab gateway` (bench/startup.ts; `--startup-only` stops there). Then
// two gateways, one on a fresh data dir and one reopened on a data dir seeded with --payments
// payments (their RSS then gives the memory per stored payment), and the peers serving the bytes
// the gateway answered: bare Fastify, and WireMock on the JVM. Rounds of measurements
// (bench/rounds.ts) alternate between all of them; then the tables, the targets of issue 17
// (bench/targets.ts) and, with --json, one document of every figure. Any non-2xx answer fails the run.
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { createRequest, measure, queryRequest } from './load.js'
import { USAGE, parseOptions, type Options } from './options.js'
import { hmacFetch, walletPayments, wechatpayOrders } from './presigned.js'
import { profileInto, seedStores, setChildEnv, startGateway, startServer } from './processes.js'
import { baselineTable, failures, measurementTable, summarize, type Row, type Summary } from './report.js'
import { round, type Bench, type Gateway } from './rounds.js'
import { coldStart, helpTime, nodeTime, startTable, type StartFigure } from './startup.js'
import { BEFORE_STORE, cardBefore, evaluate, resultTable } from './targets.js'
import { findWireMock, startWireMock, WIREMOCK_OPTIONS, type WireMock } from './wiremock.js'
import { postgresBench, postgresTable, type PostgresResult } from './postgres-child.js'

const machine = () => ({ cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', totalMemBytes: totalmem(), node: process.version, platform: `${process.platform} ${process.arch}`, loadavg: loadavg() })
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ')

/** The start-up figures: what a CI job or a test that spawns a gateway waits for. */
async function startup (dir: string, payments: number, spawns: number): Promise<StartFigure[]> {
  return [
    await nodeTime(spawns),
    await helpTime(spawns),
    await coldStart('paylab gateway --memory', ['--memory'], spawns),
    await coldStart(`paylab gateway, data dir of ${payments} payments`, ['--data-dir', dir], spawns)
  ]
}

async function openGateway (store: string, dir: string, s: Options, rsaPublicKey: string, log: (l: string) => void, rsaOnEventLoop = s.rsaOnEventLoop): Promise<Gateway> {
  const server = await startGateway(dir, s.logLevel, rsaPublicKey, rsaOnEventLoop)
  log(`[${store}] gateway opened its store (${server.ready.payments} payments) in ${server.ready.openMs.toFixed(0)} ms`)
  return { store, server, ids: [], rsaIds: [], outTradeNos: [] }
}


export async function main (argv: string[], io: { stdout?: (s: string) => void, stderr?: (s: string) => void, env?: NodeJS.ProcessEnv, command?: (command: string, args: string[]) => [string, string[]] } = {}): Promise<number> {
  const stdout = io.stdout ?? ((s: string) => { process.stdout.write(s) })
  const stderr = io.stderr ?? ((s: string) => { process.stderr.write(s) })
  let s: Options
  try {
    s = parseOptions(argv)
  } catch (err) {
    stderr(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  if (s.help) { stdout(USAGE); return 0 }
  if (io.env !== undefined) setChildEnv(io.env, io.command)
  // With --json, stdout carries the document alone; the progress and the tables go to stderr.
  const log = (line = ''): void => { (s.json ? stderr : stdout)(line + '\n') }
  profileInto(s.cpuProf === undefined ? undefined : resolve(s.cpuProf))

  const root = await mkdtemp(join(tmpdir(), 'paylab-bench-'))
  const servers: Array<{ stop: () => Promise<void> }> = []
  const started = new Date().toISOString()
  const atStart = machine()
  log(`paylab bench ${started}  node ${process.version}  ${atStart.cpus} cores (${atStart.cpuModel})`)
  log(`${s.rounds} round(s) of ${s.duration} s per measurement, ${s.connections} connections, large store ${s.payments} payments, data in ${root}`)
  log(`load average at start: ${load()}`)
  try {
    const big = String(s.payments)
    const stores = { empty: 'empty', large: big }
    const startupPayments = Math.min(1000, s.payments)
    const withLarge = !s.startupOnly && !s.skip.has('large')
    const toSeed: Array<[string, number]> = withLarge ? [[join(root, 'large'), s.payments]] : []
    if (!s.skip.has('startup')) toSeed.unshift([join(root, 'startup'), startupPayments])
    if (toSeed.length > 0) log(`seeding ${toSeed.map(([, n]) => n).join(' and ')} payments through the engine …`)
    const seeded = toSeed.length === 0 ? { ms: 0 } : await seedStores(toSeed)
    if (toSeed.length > 0) log(`seeded in ${(seeded.ms / 1000).toFixed(1)} s`)
    let startFigures: StartFigure[] = []
    if (!s.skip.has('startup')) {
      startFigures = await startup(join(root, 'startup'), startupPayments, s.spawns)
      log()
      log(startTable(startFigures))
      log(`(spawn to the first 200 from /healthz; RSS then. Targets: < 1000 ms to /healthz, < 300 ms for --help; load average ${load()})`)
      log()
    }
    if (s.startupOnly) return 0

    const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
    const gateways = [await openGateway(stores.empty, join(root, 'empty'), s, rsaKey.publicKey, log)]
    if (withLarge) gateways.push(await openGateway(big, join(root, 'large'), s, rsaKey.publicKey, log))
    servers.push(...gateways.map((g) => g.server))
    // Target 3's before, measured in the same rounds (pointless when every gateway runs RSA so).
    const before = s.skip.has('before') || s.rsaOnEventLoop ? undefined : await openGateway(BEFORE_STORE, join(root, 'before'), s, rsaKey.publicKey, log, true)
    if (before !== undefined) servers.push(before.server)
    // RSS per stored payment: the two gateways just opened, before any load, after a full GC.
    const [emptyMemory, largeMemory] = await Promise.all(gateways.map((g) => g.server.memory()))
    const memory = {
      payments: s.payments,
      emptyRssBytes: emptyMemory?.rss ?? NaN,
      largeRssBytes: largeMemory?.rss ?? NaN,
      rssBytesPerPayment: ((largeMemory?.rss ?? NaN) - (emptyMemory?.rss ?? NaN)) / s.payments,
      heapBytesPerPayment: ((largeMemory?.heapUsed ?? NaN) - (emptyMemory?.heapUsed ?? NaN)) / s.payments
    }
    log(`memory: RSS ${(memory.emptyRssBytes / 2 ** 20).toFixed(0)} MB empty, ${(memory.largeRssBytes / 2 ** 20).toFixed(0)} MB with ${s.payments} payments: ` +
      `${memory.rssBytesPerPayment.toFixed(0)} bytes RSS and ${memory.heapBytesPerPayment.toFixed(0)} bytes of heap per payment`)

    // What each workload needs on each gateway, and the answers the peers serve: the gateway's own bytes.
    for (const g of gateways) {
      const { url, facts } = g.server
      g.rsaIds = (await walletPayments(url, facts.rsa, 20)).map((p) => p.id)
      g.outTradeNos = await wechatpayOrders(url, facts.wechatpay, 20)
    }
    const first = gateways[0] as Gateway
    const [made] = await walletPayments(first.server.url, first.server.facts.demo, 1)
    const canned = { query: await hmacFetch(first.server.url, first.server.facts.demo, 'GET', `/v1/payments/${made?.id ?? ''}`), create: made?.answer ?? '' }
    log(`the peers serve the gateway's answers: ${Buffer.byteLength(canned.query)} bytes for a query, ${Buffer.byteLength(canned.create)} for a create`)
    await writeFile(join(root, 'canned.json'), JSON.stringify(canned))
    const bare = await startServer(['bare', join(root, 'canned.json')])
    servers.push(bare)

    let wiremock: WireMock | undefined
    const found = s.skip.has('wiremock') ? { skipped: 'WireMock skipped: --skip wiremock' } : await findWireMock()
    if ('jar' in found) {
      wiremock = await startWireMock(found.jar, join(root, 'wiremock'), canned)
      servers.push(wiremock)
      log(`WireMock ${wiremock.version} listening at ${wiremock.url}: ${wiremock.args.join(' ')}`)
    } else {
      log(found.skipped)
    }

    const warmups: Row[] = []
    const warm = async (name: string, server: { url: string, pid: number }, request: Parameters<typeof measure>[2], seconds = s.warmup): Promise<void> => {
      warmups.push({ ...await measure(name, { url: server.url, pid: server.pid, connections: s.connections, duration: seconds }, request), store: '—', round: 0, maxStallMs: NaN, gcUs: NaN, maxGcMs: NaN, compactions: 0 })
    }
    const demo = first.server.facts.demo
    if (before !== undefined) await warm('warm-up card create', before.server, createRequest(before.server.facts.demo, 'card', before.server.facts.key))
    for (const g of gateways) {
      await warm('warm-up create', g.server, createRequest(g.server.facts.demo, 'wallet', g.server.facts.key))
      // Card creates start the RSA worker pool (its workers start at the first RSA operation), so
      // no measurement pays for starting them.
      await warm('warm-up card create', g.server, createRequest(g.server.facts.demo, 'card', g.server.facts.key))
      // Queries go to a uniform sample of everything stored (the warm-up's payments when fresh).
      g.ids = await g.server.sample(1000)
      await warm('warm-up query', g.server, queryRequest(g.server.facts.demo, g.ids))
    }
    await warm('warm-up bare', bare, queryRequest(demo, first.ids))
    if (wiremock !== undefined) {
      // The JVM compiles its hot paths after a while of load: WireMock's figures are of a warm JIT.
      // Load it in spans of 3x --warmup until a span is no more than 10 % faster than the one before (at most 5).
      for (const [name, request] of [['GET', queryRequest(demo, first.ids)], ['POST', createRequest(demo, 'wallet', first.server.facts.key)]] as const) {
        const rates: number[] = []
        for (let span = 0; span < 5 && (rates.length < 2 || (rates.at(-1) as number) > 1.1 * (rates.at(-2) as number)); span++) {
          await warm(`warm-up WireMock ${name}`, wiremock, request, 3 * s.warmup)
          rates.push((warmups.at(-1) as Row).reqPerSec)
        }
        log(`WireMock ${name} warm-up, req/s of each ${3 * s.warmup} s span: ${rates.map((r) => r.toFixed(0)).join(', ')}`)
      }
    }
    // A request refused here would be refused in every measurement: stop at once.
    if (failures(warmups).length > 0) throw new Error(`the warm-up failed:\n  ${failures(warmups).join('\n  ')}`)

    const bench: Bench = { duration: s.duration, connections: s.connections, bare, gateways, ...(before === undefined ? {} : { before }), rows: [], rawSignPerSec: [], rsaPrivateKey: rsaKey.privateKey, log, quietMs: s.quiet * 1000, ...(wiremock === undefined ? {} : { wiremock }) }
    for (let n = 1; n <= s.rounds; n++) await round(bench, n)
    let postgres: PostgresResult = { skipped: 'PostgreSQL store skipped: --skip postgres' }
    if (!s.skip.has('postgres')) {
      log('the PostgreSQL store, one replica and two (bench/postgres.ts) …')
      postgres = await postgresBench(s.duration, s.warmup)
    }

    const summary = summarize(bench.rows)
    const { targets, ratios } = evaluate({
      rows: bench.rows, rounds: s.rounds, stores, rawSignPerSec: bench.rawSignPerSec, rssBytesPerPayment: memory.rssBytesPerPayment,
      cardBefore: cardBefore(s.baseline, stores), ...('skipped' in found ? { wiremockSkipped: found.skipped } : {}),
      ...(withLarge ? {} : { largeSkipped: 'large store skipped: --skip large' })
    })
    log()
    log(measurementTable(summary))
    log()
    log(resultTable(targets, 'target (issue 17)'))
    log()
    log(resultTable(ratios, 'ratio'))
    log()
    log('figures' in postgres ? postgresTable(postgres.figures, s.duration) : 'skipped' in postgres ? postgres.skipped : postgres.failed)
    log()
    const then = (s.baseline as { summary?: Summary[], started?: string } | undefined)
    if (Array.isArray(then?.summary)) {
      log(`against the --baseline run of ${then.started ?? '?'}:`)
      log(baselineTable(summary, then.summary))
      log()
    }
    log(`opening the store: ${gateways.map((g) => `${g.server.ready.openMs.toFixed(0)} ms with ${g.server.ready.payments} payments`).join(', ')}; seeding took ${(seeded.ms / 1000).toFixed(1)} s`)
    log(`load average at end: ${load()}`)
    const missed = targets.filter((t) => t.pass === false)
    log(missed.length === 0 ? 'no target missed' : `targets missed: ${missed.map((t) => t.name).join('; ')}`)

    if (s.json) {
      const doc = {
        bench: 'paylab', version: 1, started, finished: new Date().toISOString(),
        machine: { ...atStart, loadavgAtEnd: loadavg() },
        options: { duration: s.duration, connections: s.connections, payments: s.payments, rounds: s.rounds, warmup: s.warmup, quiet: s.quiet, logLevel: s.logLevel, skip: [...s.skip], rsaOnEventLoop: s.rsaOnEventLoop },
        peers: {
          fastify: { served: 'the gateway\'s own answer bytes' },
          wiremock: wiremock === undefined ? { skipped: 'skipped' in found ? found.skipped : '' } : { version: wiremock.version, command: wiremock.args.join(' '), options: WIREMOCK_OPTIONS },
          prism: { skipped: 'Prism not included (docs/performance.md says why)' }
        },
        startup: startFigures,
        stores: { seedMs: seeded.ms, open: (before === undefined ? gateways : [...gateways, before]).map((g) => ({ store: g.store, payments: g.server.ready.payments, openMs: g.server.ready.openMs, rsaWork: g.server.facts.rsaWork })) },
        memory,
        rawSignPerSec: bench.rawSignPerSec,
        measurements: bench.rows,
        summary,
        targets,
        ratios,
        postgres
      }
      // JSON has no NaN: a figure that could not be taken is null.
      stdout(JSON.stringify(doc, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2) + '\n')
    }
    const failed = [
      ...failures(bench.rows),
      ...('figures' in postgres ? postgres.figures.filter((f) => f.non2xx > 0).map((f) => `PostgreSQL store, ${f.name}: ${f.non2xx} non-2xx`) : []),
      ...('failed' in postgres ? [postgres.failed] : [])
    ]
    if (failed.length > 0) {
      stderr(`\nFAILED: answers that were not 2xx:\n${failed.map((f) => `  ${f}`).join('\n')}\n`)
      return 1
    }
    return 0
  } finally {
    for (const server of servers.reverse()) await server.stop()
    if (s.keep) log(`data kept in ${root}`)
    else await rm(root, { recursive: true, force: true })
  }
}
