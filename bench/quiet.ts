// Waits, before a measurement, until the bench's own server processes have stopped working.
// A JVM goes on compiling and collecting for a second or two after a load ends (WireMock used a
// full core for ~2 s after its measurement), and a gateway may finish a compaction or a batch of
// delivery attempts: whatever ran on the two cores then was charged to the next measurement, one of
// paylab's signed queries in most rounds (the query follows WireMock's GET).
import { setTimeout as sleep } from 'node:timers/promises'
import { cpuSecondsOf } from './load.js'

export interface QuietOptions {
  /** Give up after this long (ms) and measure anyway; 0: do not wait at all. */
  maxMs: number
  /** The window over which their CPU is read (ms): /proc counts in ticks of 10 ms. */
  windowMs?: number
  /** Idle: less than this share of one core, all of them together, over a window. */
  cores?: number
  /** Tests pass their own. */
  cpuSeconds?: (pid: number) => number
  wait?: (ms: number) => Promise<unknown>
}

export interface Quiet {
  /** How long it waited (ms). */
  waitedMs: number
  /** Whether they were idle when it stopped waiting (false: it gave up at maxMs). */
  idle: boolean
}

/** Resolves once the processes `pids` together used less than `cores` of a core over one window. */
export async function quiet (pids: readonly number[], options: QuietOptions): Promise<Quiet> {
  const { maxMs, windowMs = 500, cores = 0.05 } = options
  const cpu = options.cpuSeconds ?? cpuSecondsOf
  const wait = options.wait ?? sleep
  if (maxMs <= 0 || pids.length === 0) return { waitedMs: 0, idle: true }
  // NaN (no /proc: not Linux) reads as idle, so the bench runs there as it did.
  const total = (): number => pids.reduce((sum, pid) => { const s = cpu(pid); return sum + (Number.isFinite(s) ? s : 0) }, 0)
  let waitedMs = 0
  let last = total()
  while (waitedMs < maxMs) {
    await wait(windowMs)
    waitedMs += windowMs
    const now = total()
    const used = (now - last) / (windowMs / 1000)
    last = now
    if (used < cores) return { waitedMs, idle: true }
  }
  return { waitedMs, idle: false }
}
