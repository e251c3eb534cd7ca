// `npm run bench`'s PostgreSQL figures: bench/postgres.ts (one replica and two on a PostgreSQL
// cluster it starts) run as a process of its own after the embedded store's rounds, so that its
// cluster and replicas never share the machine with the measurements before it. Without
// PostgreSQL's server binaries the figures are skipped with the reason, as WireMock's are without
// Java; any other failure (a replica that does not start, a load nobody answered) fails the run.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { postgresBin } from '../test/helpers/postgres.js'
import type { Figures } from './postgres.js'
import { childCommand, childEnv } from './processes.js'

const SCRIPT = fileURLToPath(new URL('./postgres.ts', import.meta.url))

export type PostgresResult = { figures: Figures[] } | { skipped: string } | { failed: string }

export async function postgresBench (duration: number, warmup: number): Promise<PostgresResult> {
  if (postgresBin() === undefined) return { skipped: 'PostgreSQL store skipped: no PostgreSQL server binaries in /usr/lib/postgresql (apt-get install postgresql)' }
  const [command, args] = childCommand(process.execPath, ['--import', import.meta.resolve('tsx'), SCRIPT, '--json'])
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...childEnv, BENCH_DURATION: String(duration), BENCH_WARMUP: String(warmup) } })
  // Four loads and their warm-ups, the cluster's start and four replicas' starts, with room to spare.
  const limit = setTimeout(() => child.kill('SIGKILL'), (4 * (duration + warmup) + 120) * 1000)
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  let out = ''
  let err = ''
  child.stdout.on('data', (d: string) => { out += d })
  child.stderr.on('data', (d: string) => { err += d })
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])))
  clearTimeout(limit)
  const last = out.trim().split('\n').at(-1) ?? ''
  // A run with non-2xx answers exits 1 after its figures: they are kept, and say so in their non-2xx column.
  if (last.startsWith('[')) return { figures: JSON.parse(last) as Figures[] }
  const why = err.trim().split('\n').filter((l) => l.trim() !== '').at(-1) ?? (signal === 'SIGKILL' ? 'killed: it ran past its time limit' : `exit code ${String(code)}`)
  return { failed: `PostgreSQL store: bench/postgres.ts failed (${why.slice(0, 300)})` }
}

export function postgresTable (figures: Figures[], duration: number): string {
  return [
    `| PostgreSQL store (20 connections, ${duration} s each, the test cluster's settings: fsync off) | req/s | p99 ms | non-2xx | gateway CPU µs/req | PostgreSQL CPU µs/req |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...figures.map((f) => `| ${f.name} | ${f.reqPerSec} | ${f.p99} | ${f.non2xx} | ${f.gatewayCpuUs} | ${f.postgresCpuUs} |`)
  ].join('\n')
}
