// `npm run bench [-- --duration 10 --connections 10 --payments 100000 --rounds 1]`
//
// First the cold start of `paylab gateway` (median of --spawns spawns to its first /healthz answer,
// in memory and on a data dir of 1,000 payments, with the RSS then) and of `paylab --help`
// (bench/startup.ts; `--startup-only` stops there). Then it measures a bare Fastify route (the baseline) and the gateway's signed create and query on two
// gateways at once: one on a fresh data dir, one reopened on a data dir seeded with --payments
// payments. Measurements alternate between them (and the baseline), so that background load on
// the machine falls on both alike. Prints the figures, the ratios and whether they meet the
// targets; any non-2xx answer fails the run.
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Request } from 'autocannon'
import { bareRequest, createRequest, measure, queryRequest, type Merchant, type Target } from './load.js'
import { profileInto, seedStore, startServer, type ServerProcess } from './processes.js'
import { coldStart, helpTime, nodeTime, startTable } from './startup.js'
import { failures, measurementTable, misses, ratios, ratioTable, type RatioSpec, type Row } from './report.js'

const USAGE = `usage: npm run bench -- [options]
  -d, --duration <s>      seconds per measurement (default 10)
  -c, --connections <n>   concurrent connections (default 10)
  --payments <n>          payments in the large store (default 100000)
  --rounds <n>            measure everything n times, interleaved; report medians (default 1)
  --warmup <s>            unrecorded load on each server before measuring (default 2)
  --keep                  keep the temporary data dirs
  --cpu-prof <dir>        write a V8 CPU profile of each server process into dir
  --spawns <n>            spawns per start-up figure (default 5)
  --startup-only          measure the start-up figures only
`

interface Gateway { store: string, server: ServerProcess, demo: Merchant, key: { id: string, public_key: string }, ids: string[] }

const QUERY = 'signed query GET /v1/payments/{id}'
const WALLET = 'signed create (wallet)'
const CARD = 'signed create (card, RSA envelope)'
const BARE = 'bare Fastify GET /bare'
const WORKLOADS: Array<{ name: string, request: (g: Gateway) => Request }> = [
  { name: QUERY, request: (g) => queryRequest(g.demo, g.ids) },
  { name: WALLET, request: (g) => createRequest(g.demo, 'wallet', g.key) },
  { name: CARD, request: (g) => createRequest(g.demo, 'card', g.key) }
]

const out = (line = ''): void => { process.stdout.write(line + '\n') }
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ')

function parse (argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', short: 'd', default: '10' },
      connections: { type: 'string', short: 'c', default: '10' },
      payments: { type: 'string', default: '100000' },
      rounds: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '2' },
      keep: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      spawns: { type: 'string', default: '5' },
      'startup-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  const n = { duration: Number(values.duration), connections: Number(values.connections), payments: Number(values.payments), rounds: Number(values.rounds), warmup: Number(values.warmup), spawns: Number(values.spawns) }
  const whole = [n.connections, n.payments, n.rounds, n.spawns].every((v) => Number.isInteger(v) && v >= 1)
  if (!whole || !(n.duration > 0) || !(n.warmup > 0)) throw new Error('every option takes a positive number (whole for connections, payments, rounds)')
  return { ...n, keep: values.keep, cpuProf: values['cpu-prof'], startupOnly: values['startup-only'], help: values.help }
}

async function openGateway (store: string, dir: string, servers: ServerProcess[]): Promise<Gateway> {
  const server = await startServer(['gateway', dir])
  servers.push(server)
  const { demo, key, openMs, payments } = server.ready
  if (demo === undefined || key === undefined) throw new Error('the gateway did not say its demo merchant')
  out(`[${store}] gateway opened its store (${payments} payments) in ${openMs.toFixed(0)} ms`)
  return { store, server, demo, key, ids: [] }
}

/** The start-up figures: what a CI job or a test that spawns a gateway waits for. */
async function startup (dir: string, spawns: number): Promise<void> {
  await seedStore(dir, 1000)
  const figures = [
    await nodeTime(spawns),
    await helpTime(spawns),
    await coldStart('paylab gateway --memory', ['--memory'], spawns),
    await coldStart('paylab gateway, data dir of 1,000 payments', ['--data-dir', dir], spawns)
  ]
  out()
  out(startTable(figures))
  out(`(spawn to the first 200 from /healthz; RSS then. Targets: < 1000 ms to /healthz, < 300 ms for --help; load average ${load()})`)
  out()
}

export async function main (argv: string[]): Promise<number> {
  let s: ReturnType<typeof parse>
  try {
    s = parse(argv)
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  if (s.help) { out(USAGE); return 0 }
  profileInto(s.cpuProf === undefined ? undefined : resolve(s.cpuProf))

  const root = await mkdtemp(join(tmpdir(), 'paylab-bench-'))
  const servers: ServerProcess[] = []
  const rows: Row[] = []
  const warmups: Row[] = []
  out(`paylab bench ${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`)
  out(`${s.rounds} round(s) of ${s.duration} s per measurement, ${s.connections} connections, large store ${s.payments} payments, data in ${root}`)
  out(`load average at start: ${load()}`)
  try {
    await startup(join(root, 'startup'), s.spawns)
    if (s.startupOnly) return 0
    const big = String(s.payments)
    out(`[${big}] seeding ${s.payments} payments through the engine …`)
    const seeded = await seedStore(join(root, 'large'), s.payments)
    out(`[${big}] seeded in ${(seeded.ms / 1000).toFixed(1)} s`)

    const bare = await startServer(['bare'])
    servers.push(bare)
    const gateways = [await openGateway('empty', join(root, 'empty'), servers), await openGateway(big, join(root, 'large'), servers)]
    const target = (server: ServerProcess, duration = s.duration): Target => ({ url: server.url, pid: server.pid, connections: s.connections, duration })

    const unrecorded = { round: 0, maxStallMs: NaN, gcUs: NaN, compactions: 0 }
    warmups.push({ ...await measure('warm-up', target(bare, s.warmup), bareRequest()), store: '—', ...unrecorded })
    for (const g of gateways) {
      warmups.push({ ...await measure('warm-up create', target(g.server, s.warmup), createRequest(g.demo, 'wallet', g.key)), store: g.store, ...unrecorded })
      // Queries go to a uniform sample of everything stored (the warm-up's payments when fresh).
      g.ids = await g.server.sample(1000)
    }
    // A request the gateway refuses here would be refused in every measurement: stop at once.
    if (failures(warmups).length > 0) throw new Error(`the warm-up failed:\n  ${failures(warmups).join('\n  ')}`)

    for (let round = 1; round <= s.rounds; round++) {
      const record = async (name: string, store: string, server: ServerProcess, request: Request): Promise<void> => {
        const before = await server.stats()
        const m = await measure(name, target(server), request)
        const after = await server.stats()
        const row: Row = { ...m, store, round, maxStallMs: after.maxStallMs, gcUs: after.gcMs * 1000 / m.total, compactions: after.journal - before.journal }
        rows.push(row)
        out(`[round ${round}/${s.rounds}] ${name}, ${store}: ${m.reqPerSec.toFixed(0)} req/s, p99 ${m.p99} ms, ${m.serverCpuUs.toFixed(0)} µs CPU/req, ` +
          `GC ${row.gcUs.toFixed(0)} µs/req, longest stall ${row.maxStallMs.toFixed(0)} ms${row.compactions > 0 ? `, ${row.compactions} compaction(s)` : ''}`)
      }
      await record(BARE, '—', bare, bareRequest())
      // Alternate which store goes first, so neither always follows the other.
      const order = round % 2 === 1 ? gateways : [...gateways].reverse()
      for (const w of WORKLOADS) for (const g of order) await record(w.name, g.store, g.server, w.request(g))
    }

    const specs: RatioSpec[] = [
      { name: 'signed create (wallet) / bare, empty store', over: { name: WALLET, store: 'empty' }, under: { name: BARE, store: '—' }, target: 0.5 },
      { name: 'signed create (card) / bare, empty store', over: { name: CARD, store: 'empty' }, under: { name: BARE, store: '—' } },
      { name: 'signed query / bare, empty store', over: { name: QUERY, store: 'empty' }, under: { name: BARE, store: '—' } },
      { name: `signed create (wallet), ${big} / empty`, over: { name: WALLET, store: big }, under: { name: WALLET, store: 'empty' }, target: 0.9 },
      { name: `signed query, ${big} / empty`, over: { name: QUERY, store: big }, under: { name: QUERY, store: 'empty' }, target: 0.9 },
      { name: `signed create (card), ${big} / empty`, over: { name: CARD, store: big }, under: { name: CARD, store: 'empty' } }
    ]
    const list = ratios(rows, specs, s.rounds)
    out()
    out(measurementTable(rows))
    out()
    out(ratioTable(list))
    out()
    out(`opening the store: ${gateways.map((g) => `${g.server.ready.openMs.toFixed(0)} ms with ${g.server.ready.payments} payments`).join(', ')}; seeding ${s.payments} took ${(seeded.ms / 1000).toFixed(1)} s`)
    out(`load average at end: ${load()}`)
    const missed = misses(list)
    out(missed.length === 0 ? 'all targets met' : `targets missed: ${missed.map((r) => r.name).join('; ')}`)

    const failed = failures(rows)
    if (failed.length > 0) {
      process.stderr.write(`\nFAILED: answers that were not 2xx:\n${failed.map((f) => `  ${f}`).join('\n')}\n`)
      return 1
    }
    return 0
  } finally {
    for (const server of servers) await server.stop()
    if (s.keep) out(`data kept in ${root}`)
    else await rm(root, { recursive: true, force: true })
  }
}
