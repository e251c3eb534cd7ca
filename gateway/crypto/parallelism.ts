// How many RSA workers a gateway starts by default: one per CPU it may use. Node's
// availableParallelism() counts the CPUs the process may run on, not a container's CPU quota, so a
// gateway limited to one CPU on a 16-core host would start 16 workers (16 V8 isolates, ~10 MB each,
// contending for the one CPU). cgroup v2's cpu.max says the quota.
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

/** CPUs a cgroup v2 `cpu.max` ("QUOTA PERIOD", or "max PERIOD" for none) allows; undefined when it sets no limit or cannot be read. */
export function cpusOfCpuMax (text: string): number | undefined {
  const match = /^(\d+|max)\s+(\d+)\s*$/.exec(text.trim())
  if (match === null || match[1] === 'max') return undefined
  const quota = Number(match[1])
  const period = Number(match[2])
  if (!(quota > 0) || !(period > 0)) return undefined
  return Math.max(1, Math.ceil(quota / period))
}

/**
 * The `cpu.max` files that limit this process, from its own cgroup (the `0::` line of
 * /proc/self/cgroup) up to the root of the hierarchy it sees: each ancestor's quota applies too.
 */
export function cpuMaxPaths (procSelfCgroup: string): string[] {
  const line = procSelfCgroup.split('\n').find((l) => l.startsWith('0::'))
  const parts = line === undefined ? [] : line.slice(3).trim().split('/').filter((p) => p !== '' && p !== '..')
  const paths: string[] = []
  for (let i = parts.length; i > 0; i--) paths.push(`/sys/fs/cgroup/${parts.slice(0, i).join('/')}/cpu.max`)
  return [...paths, '/sys/fs/cgroup/cpu.max']
}

function read (path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined // not Linux, cgroup v1, the root cgroup (it has no cpu.max), or no access
  }
}

/** The smallest quota of the process's cgroup and its ancestors, read with `readFile` (undefined: unreadable). */
export function cgroupCpus (readFile: (path: string) => string | undefined = read): number | undefined {
  const limits = cpuMaxPaths(readFile('/proc/self/cgroup') ?? '').map((p) => { const text = readFile(p); return text === undefined ? undefined : cpusOfCpuMax(text) })
  const set = limits.filter((n): n is number => n !== undefined)
  return set.length === 0 ? undefined : Math.min(...set)
}

/** The default size of the RSA worker pool: the CPUs this process may use, within its cgroup's quotas. */
export function defaultRsaWorkers (cpus = availableParallelism(), quota = cgroupCpus()): number {
  return Math.max(1, Math.min(cpus, quota ?? Infinity))
}
