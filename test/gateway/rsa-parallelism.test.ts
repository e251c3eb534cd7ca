// How many RSA workers a gateway starts by default (gateway/crypto/parallelism.ts): the CPUs the
// process may use, within a cgroup v2 CPU quota when there is one.
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import t from 'tap'
import { cpuMaxPaths, cpusOfCpuMax, defaultRsaWorkers } from '../../gateway/crypto/parallelism.js'

t.test('cpu.max: a quota over its period, rounded up; no limit or nonsense is no figure', async (t) => {
  t.equal(cpusOfCpuMax('200000 100000\n'), 2)
  t.equal(cpusOfCpuMax('150000 100000'), 2, 'a CPU and a half may keep two threads busy part of the time')
  t.equal(cpusOfCpuMax('50000 100000'), 1, 'less than a CPU is still one worker')
  t.equal(cpusOfCpuMax('max 100000\n'), undefined, 'no quota')
  for (const bad of ['', 'max', '0 100000', '100000 0', 'lots 100000', '1 2 3']) t.equal(cpusOfCpuMax(bad), undefined, JSON.stringify(bad))
})

t.test('the quotas that apply: the process\'s own cgroup and every ancestor, up to what it sees as the root', async (t) => {
  t.same(cpuMaxPaths('0::/system.slice/paylab.service\n'), ['/sys/fs/cgroup/system.slice/paylab.service/cpu.max', '/sys/fs/cgroup/system.slice/cpu.max', '/sys/fs/cgroup/cpu.max'])
  t.same(cpuMaxPaths('0::/\n'), ['/sys/fs/cgroup/cpu.max'], 'a container\'s own namespace: its root')
  t.same(cpuMaxPaths('12:cpu,cpuacct:/docker/abc\n'), ['/sys/fs/cgroup/cpu.max'], 'cgroup v1 only: no v2 path to follow')
  t.same(cpuMaxPaths('0::/../../escape\n'), ['/sys/fs/cgroup/escape/cpu.max', '/sys/fs/cgroup/cpu.max'], 'never outside /sys/fs/cgroup')
})

t.test('the default is the CPUs this process may use, within its quotas', async (t) => {
  let own = ''
  try { own = readFileSync('/proc/self/cgroup', 'utf8') } catch {}
  const quotas = cpuMaxPaths(own).map((p) => { try { return cpusOfCpuMax(readFileSync(p, 'utf8')) } catch { return undefined } }).filter((n) => n !== undefined)
  t.equal(defaultRsaWorkers(), Math.min(availableParallelism(), ...quotas))
})
