// How many RSA workers a gateway starts by default (gateway/crypto/parallelism.ts): the CPUs the
// process may use, within a cgroup v2 CPU quota when there is one.
import { availableParallelism } from 'node:os'
import t from 'tap'
import { cgroupCpus, cpuMaxPaths, cpusOfCpuMax, defaultRsaWorkers } from '../../gateway/crypto/parallelism.js'

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

t.test('the smallest quota along the way wins; files that cannot be read set none', async (t) => {
  const files = (map: Record<string, string>) => (path: string): string | undefined => Object.hasOwn(map, path) ? map[path] : undefined
  const nested = { '/proc/self/cgroup': '0::/kubepods/pod1/ctr\n', '/sys/fs/cgroup/kubepods/pod1/ctr/cpu.max': 'max 100000', '/sys/fs/cgroup/kubepods/pod1/cpu.max': '300000 100000', '/sys/fs/cgroup/kubepods/cpu.max': '800000 100000' }
  t.equal(cgroupCpus(files(nested)), 3, 'the pod\'s 3 CPUs, though the container sets none and the parent allows 8')
  t.equal(cgroupCpus(files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '100000 100000\n' })), 1, 'a container that sees its own cgroup as the root')
  t.equal(cgroupCpus(files({})), undefined, 'nothing readable (not Linux, cgroup v1): no quota')
  t.equal(cgroupCpus(files({ '/proc/self/cgroup': '0::/a\n', '/sys/fs/cgroup/a/cpu.max': 'max 100000' })), undefined, 'no quota anywhere')
})

t.test('the default: the CPUs this process may use, within its quotas, at least one', async (t) => {
  t.equal(defaultRsaWorkers(16, 1), 1, 'one CPU of quota on a 16-core host: one worker, not 16')
  t.equal(defaultRsaWorkers(2, 8), 2, 'a quota above the CPUs there are changes nothing')
  t.equal(defaultRsaWorkers(4, undefined), 4, 'no quota: every CPU')
  t.equal(defaultRsaWorkers(0, undefined), 1, 'never fewer than one')
  t.equal(defaultRsaWorkers(), Math.min(availableParallelism(), cgroupCpus() ?? Infinity), 'this machine')
})
