// `npm run bench:postgres`: the PostgreSQL store, one replica and two, beside nothing else (the
// embedded store's figures are `npm run bench`'s). A PostgreSQL cluster is started for the run
// (test/helpers/postgres.ts); each replica is a process of its own (test/postgres/fixtures/
// replica.ts); autocannon sends signed creates, then signed queries, spread evenly over the
// replicas. Figures: requests per second, p99 latency, and CPU per request of the gateways and of
// PostgreSQL (every process of the cluster). `npm run bench` runs it as a child process of its
// own at its end (unless `--skip postgres`) with `--json`: the figures as one JSON array on stdout.
// BENCH_DURATION (s, default 10) and BENCH_WARMUP (s, default 2) make a short run.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon, { type Request, type Result } from 'autocannon'
import { startPostgres, type Postgres } from '../test/helpers/postgres.js'
import { postgresTable } from './postgres-child.js'

const REPLICA = fileURLToPath(new URL('../test/postgres/fixtures/replica.ts', import.meta.url))
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
/** Seconds of unrecorded creates on each set of replicas before measuring (their JIT, validators, connections), as bench/run.ts warms up. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2)
const CONNECTIONS = 20
const TICKS_PER_SECOND = 100

interface Replica { url: string, secret: string, child: ChildProcess }

const tag = randomBytes(6).toString('hex')
let seq = 0
const next = (): string => `${tag}${(++seq).toString(36).padStart(8, '0')}`

function cpuSeconds (pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND
  } catch {
    return 0
  }
}

/** CPU seconds of the cluster: its server and every process it forked (backends, writers), ended children included. */
function clusterCpu (pg: Postgres): number {
  const server = Number(readFileSync(join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  let total = cpuSeconds(server)
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
      if (Number(fields[1]) === server) total += cpuSeconds(Number(entry))
    } catch {}
  }
  return total
}

async function startReplica (url: string): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', REPLICA, url, '30000'], { stdio: ['ignore', 'pipe', 'inherit'] })
  return await new Promise((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line !== undefined) resolve({ ...(JSON.parse(line) as { url: string, secret: string }), child })
    })
    child.on('exit', () => reject(new Error(`the replica exited:\n${out}`)))
  })
}

function signed (secret: string, method: string, make: () => { path: string, body: string }): Request {
  return {
    method,
    setupRequest: (request) => {
      const { path, body } = make()
      const timestamp = String(Math.floor(Date.now() / 1000))
      const nonce = next()
      const signature = createHmac('sha256', secret).update(`${method}\n${path}\n${timestamp}\n${nonce}\n${body}\n`).digest('base64')
      return {
        ...request, method, path, body,
        headers: {
          'paylab-merchant': 'demo', 'paylab-timestamp': timestamp, 'paylab-nonce': nonce,
          'paylab-signature-type': 'HMAC-SHA256', 'paylab-signature': signature,
          ...(body === '' ? {} : { 'content-type': 'application/json' })
        }
      }
    }
  }
}

const ids: string[] = []
const create = (secret: string): Request => ({
  ...signed(secret, 'POST', () => ({ path: '/v1/payments', body: JSON.stringify({ merchant_order_id: `bench-${next()}`, amount: 1999, currency: 'USD', method: { type: 'wallet', wallet: { provider: 'alipay' } } }) })),
  onResponse: (status: number, body: string) => { if (status === 201 && ids.length < 10_000) ids.push((JSON.parse(body) as { id: string }).id) }
})
const query = (secret: string): Request => {
  if (ids.length === 0) throw new Error('no payment was created to query')
  return signed(secret, 'GET', () => ({ path: `/v1/payments/${ids[Math.floor(Math.random() * ids.length)] as string}`, body: '' }))
}

export interface Figures { name: string, reqPerSec: number, p99: number, non2xx: number, gatewayCpuUs: number, postgresCpuUs: number }

async function measure (name: string, pg: Postgres, replicas: Replica[], request: (secret: string) => Request): Promise<Figures> {
  const before = { gateways: replicas.map((r) => cpuSeconds(r.child.pid as number)), postgres: clusterCpu(pg) }
  const results: Result[] = await Promise.all(replicas.map((r) => autocannon({ url: r.url, connections: CONNECTIONS / replicas.length, duration: DURATION, requests: [request(r.secret)] })))
  const gateways = replicas.reduce((sum, r, i) => sum + cpuSeconds(r.child.pid as number) - (before.gateways[i] as number), 0)
  const postgres = clusterCpu(pg) - before.postgres
  const total = results.reduce((n, r) => n + r['2xx'] + r.non2xx, 0)
  if (total === 0) throw new Error(`${name}: no request was answered within ${DURATION} s (BENCH_DURATION)`)
  return {
    name,
    reqPerSec: Math.round(results.reduce((n, r) => n + r.requests.average, 0)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    gatewayCpuUs: Math.round(gateways * 1e6 / total),
    postgresCpuUs: Math.round(postgres * 1e6 / total)
  }
}

export async function main (): Promise<number> {
  const pg = await startPostgres()
  const figures: Figures[] = []
  try {
    for (const n of [1, 2]) {
      const url = pg.freshSchemaUrl()
      const replicas: Replica[] = []
      // One after the other: the first makes the schema and the demo merchant.
      for (let i = 0; i < n; i++) replicas.push(await startReplica(url))
      try {
        ids.length = 0
        if (WARMUP > 0) await Promise.all(replicas.map((r) => autocannon({ url: r.url, connections: CONNECTIONS / replicas.length, duration: WARMUP, requests: [create(r.secret)] })))
        figures.push(await measure(`signed creates, ${n} replica${n > 1 ? 's' : ''}`, pg, replicas, create))
        figures.push(await measure(`signed queries, ${n} replica${n > 1 ? 's' : ''}`, pg, replicas, query))
      } finally {
        for (const r of replicas) r.child.kill('SIGTERM')
      }
    }
  } finally {
    await pg.stop()
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures))
  else console.log(postgresTable(figures, DURATION))
  return figures.some((f) => f.non2xx > 0) ? 1 : 0
}

process.exitCode = await main()
