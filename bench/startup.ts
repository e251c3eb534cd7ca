// Cold start as a user sees it: `node bin/paylab.js gateway …` spawned, timed to its first 200 from
// /healthz, and its resident memory then (VmRSS); and `paylab --help`, spawned to exit. Each is the
// median of a few spawns, one after another, so nothing else of the benchmark runs meanwhile.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { cpuSecondsOf } from './load.js'
import { childCommand, childEnv } from './processes.js'
import { median } from './report.js'

const BIN = fileURLToPath(new URL('../bin/paylab.js', import.meta.url))

/** ms: wall time, median; cpuMs: the process's own CPU time by then (user + system, 10 ms ticks), which a busy machine inflates far less than wall time. */
export interface StartFigure { name: string, ms: number, cpuMs: number, rssMb: number, spawns: number[] }

/** One spawn of the gateway: ms to the first /healthz 200, and its CPU ms and RSS in MB at that moment. */
async function startOnce (args: string[], bin: string): Promise<{ ms: number, cpuMs: number, rssMb: number }> {
  const started = performance.now()
  const child = spawn(...childCommand(process.execPath, [bin, 'gateway', '--port', '0', '--log-level', 'warn', ...args]), { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        out += s
        const m = /listening on (http:\/\/\S+)/.exec(out)
        if (m?.[1] !== undefined) resolve(m[1])
      })
      child.once('exit', (code) => reject(new Error(`paylab gateway exited (${String(code)}) before listening:\n${out}`)))
    })
    for (;;) {
      const res = await fetch(`${url}/healthz`).catch(() => undefined)
      if (res?.status === 200) break
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const ms = performance.now() - started
    const cpuMs = cpuSecondsOf(child.pid as number) * 1000
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(child.pid)}/status`, 'utf8'))?.[1]
    return { ms, cpuMs, rssMb: Number(rss) / 1024 }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
}

/** `bin`: another checkout's bin/paylab.js, to compare with. */
export async function coldStart (name: string, args: string[], spawns: number, bin = BIN): Promise<StartFigure> {
  const runs: Array<{ ms: number, cpuMs: number, rssMb: number }> = []
  for (let i = 0; i < spawns; i++) runs.push(await startOnce(args, bin))
  return { name, ms: median(runs.map((r) => r.ms)), cpuMs: median(runs.map((r) => r.cpuMs)), rssMb: median(runs.map((r) => r.rssMb)), spawns: runs.map((r) => r.ms) }
}

/** `node ARGS` spawned to exit: `paylab --help`, and Node itself as the floor under every figure. */
export async function exitTime (name: string, args: string[], spawns: number): Promise<StartFigure> {
  const runs: number[] = []
  for (let i = 0; i < spawns; i++) {
    const started = performance.now()
    const child = spawn(...childCommand(process.execPath, args), { stdio: 'ignore', env: childEnv })
    await new Promise((resolve) => child.once('exit', resolve))
    runs.push(performance.now() - started)
  }
  return { name, ms: median(runs), cpuMs: NaN, rssMb: NaN, spawns: runs }
}

export const helpTime = (spawns: number, bin = BIN): Promise<StartFigure> => exitTime('paylab --help (to exit)', [bin, '--help'], spawns)
export const nodeTime = (spawns: number): Promise<StartFigure> => exitTime('node -e "" (Node alone, the floor)', ['-e', ''], spawns)

export function startTable (figures: readonly StartFigure[]): string {
  return [
    '| start-up | median ms | its CPU ms | RSS MB | each spawn, ms |',
    '| --- | ---: | ---: | ---: | --- |',
    ...figures.map((f) => `| ${f.name} | ${f.ms.toFixed(0)} | ${fixed(f.cpuMs)} | ${fixed(f.rssMb)} | ${f.spawns.map((s) => s.toFixed(0)).join(', ')} |`)
  ].join('\n')
}

const fixed = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '—')
