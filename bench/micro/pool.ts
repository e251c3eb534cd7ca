// The RSA worker pool alone (gateway/crypto/worker-pool.ts), two or more builds side by side:
// RSA-SHA256 signatures of a 650-byte answer kept 64 outstanding (as 64 connections would), each
// replaced as it comes back. Prints the main thread's CPU µs per signature (the pool's messaging:
// what the event loop pays for each RSA answer beside the HTTP work) and all threads' µs.
//
//   npx tsx bench/micro/pool.ts [-r 8] [-n 3000] scratch/before-dist dist
//
// The main thread's CPU is read from /proc in ticks of 10 ms: -n 3000 makes a round ~50–150 ms of it.
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type * as PoolModule from '../../gateway/crypto/worker-pool.js'

const { values, positionals: dists } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', short: 'r', default: '8' }, count: { type: 'string', short: 'n', default: '3000' } }
})
const count = Number(values.count)
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const data = Buffer.from(`1767225600\nnonce0123456789abcdef\n${'x'.repeat(620)}\n`)
const mainUs = (): number => {
  const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  return (Number(f[11]) + Number(f[12])) * 1e4
}

interface Build { dist: string, pool: PoolModule.RsaWorkerPool, main: number[], all: number[] }
const builds: Build[] = []
for (const dist of dists) {
  const { RsaWorkerPool } = await import(`${pathToFileURL(resolve(dist)).href}/gateway/crypto/worker-pool.js`) as typeof PoolModule
  builds.push({ dist, pool: new RsaWorkerPool(), main: [], all: [] })
}

async function load (pool: PoolModule.RsaWorkerPool, n: number): Promise<void> {
  let sent = 0
  let done = 0
  await new Promise<void>((resolve, reject) => {
    const one = (): void => {
      if (sent >= n) return
      sent++
      pool.rsaSha256Sign(pem, data).then(() => { if (++done === n) resolve(); else one() }, reject)
    }
    for (let i = 0; i < 64; i++) one()
  })
}

for (const b of builds) await load(b.pool, 200) // workers started, keys parsed, JIT warm
for (let round = 0; round < Number(values.rounds); round++) {
  for (const b of round % 2 === 0 ? builds : [...builds].reverse()) {
    const m0 = mainUs()
    const c0 = process.cpuUsage()
    await load(b.pool, count)
    const c = process.cpuUsage(c0)
    b.main.push((mainUs() - m0) / count)
    b.all.push((c.user + c.system) / count)
  }
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number
for (const b of builds) {
  process.stdout.write(`${b.dist}: main thread µs/signature median ${median(b.main).toFixed(1)} best ${Math.min(...b.main).toFixed(1)}; all threads median ${median(b.all).toFixed(0)} best ${Math.min(...b.all).toFixed(0)}\n`)
  await b.pool.close()
}
