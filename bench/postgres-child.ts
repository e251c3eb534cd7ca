// `npm run bench`'s PostgreSQL figures: bench/postgres.ts (one replica and two on a PostgreSQL 15
// cluster it starts) run as a process of its own after the embedded store's rounds, so that its
// cluster and replicas never share the machine with the measurements before it. Without
// PostgreSQL's binaries (or root to run them as the postgres user) the figures are skipped with
// the reason, as WireMock's are without Java.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { childCommand, childEnv } from './processes.js'

const SCRIPT = fileURLToPath(new URL('./postgres.ts', import.meta.url))

export interface PostgresFigures { name: string, reqPerSec: number, p99: number, non2xx: number, gatewayCpuUs: number, postgresCpuUs: number }
export type PostgresResult = { figures: PostgresFigures[] } | { skipped: string }

export async function postgresBench (duration: number, warmup: number): Promise<PostgresResult> {
  const [command, args] = childCommand(process.execPath, ['--import', import.meta.resolve('tsx'), SCRIPT, '--json'])
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...childEnv, BENCH_DURATION: String(duration), BENCH_WARMUP: String(warmup) } })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const last = out.trim().split('\n').at(-1) ?? ''
  // A run with non-2xx answers exits 1 after its figures: they are kept, and say so in their non-2xx column.
  if (last.startsWith('[')) return { figures: JSON.parse(last) as PostgresFigures[] }
  const why = err.trim().split('\n').filter((l) => l.trim() !== '').at(-1) ?? `exit code ${String(code)}`
  return { skipped: `PostgreSQL store skipped: bench/postgres.ts failed (${why.slice(0, 300)})` }
}

export function postgresTable (figures: PostgresFigures[]): string {
  return [
    '| PostgreSQL store (20 connections, fsync off) | req/s | p99 ms | non-2xx | gateway CPU µs/req | PostgreSQL CPU µs/req |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...figures.map((f) => `| ${f.name} | ${f.reqPerSec} | ${f.p99} | ${f.non2xx} | ${f.gatewayCpuUs} | ${f.postgresCpuUs} |`)
  ].join('\n')
}
