// Two or more builds of the gateway side by side, measured in alternation: on a machine shared
// with other work, a figure means something only next to another taken at the same moment.
//
//   cp -r dist scratch/before-dist   # before the change (npm run build first); inside the
//                                    # checkout, so that its imports find node_modules
//   npm run build                    # after it
//   npx tsx bench/micro/ab.ts [-r 12] [-d 2] [-c 64] query|wallet|health|rsa scratch/before-dist dist
//
// `rsa`: RSA-SHA256-signed queries, answered with an RSA-SHA256 signature (the worker pool's
// work); the requests are signed before each measurement (-d s × 2,500 of them, sent once each).
//
// Each build runs in a process of its own (bench/micro/server.ts, a data dir each); each round
// loads every one for -d s, in turn (the order reversed every other round). Prints, per build,
// the server's main-thread user CPU µs per request (least disturbed by the load generator and by
// loopback softirq time charged to the process) and all-thread user+system µs per request:
// the best round and the median.
import { fork, type ChildProcess } from 'node:child_process'
import { constants, generateKeyPairSync, sign } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Request } from 'autocannon'
import { createRequest, measure, queryRequest, type Merchant } from '../load.js'
import type { MicroReady } from './server.js'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', short: 'r', default: '12' }, duration: { type: 'string', short: 'd', default: '2' }, connections: { type: 'string', short: 'c', default: '64' } }
})
const [work, ...builds] = positionals
if (work === undefined || !['query', 'wallet', 'health', 'rsa'].includes(work) || builds.length < 1) {
  process.stderr.write('usage: npx tsx bench/micro/ab.ts [-r rounds] [-d seconds] [-c connections] query|wallet|health|rsa DIST_DIR...\n')
  process.exit(2)
}
const connections = Number(values.connections)
const clientKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
const client = clientKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString()
let seq = 0
/** `count` RSA-SHA256-signed queries, signed now (each nonce is accepted once: each is sent once). */
function rsaRequests (demo: Merchant, ids: string[], count: number): Request {
  const made: Array<{ path: string, headers: Record<string, string> }> = []
  const timestamp = String(Math.floor(Date.now() / 1000))
  for (let i = 0; i < count; i++) {
    const path = `/v1/payments/${ids[i % ids.length] as string}`
    const nonce = `ab${process.pid}x${(++seq).toString(36).padStart(14, '0')}`
    const signature = sign('sha256', Buffer.from(`GET\n${path}\n${timestamp}\n${nonce}\n\n`), { key: clientKeys.privateKey, padding: constants.RSA_PKCS1_PADDING }).toString('base64')
    made.push({ path, headers: { 'paylab-merchant': demo.merchant, 'paylab-timestamp': timestamp, 'paylab-nonce': nonce, 'paylab-signature-type': 'RSA-SHA256', 'paylab-signature': signature } })
  }
  let at = 0
  return { method: 'GET', setupRequest: (r) => ({ ...r, method: 'GET', ...made[at++ % made.length] }) }
}
const userSeconds = (pid: number): number => Number(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[11]) / 100
const next = <T>(child: ChildProcess, type: string): Promise<T> => new Promise((resolve) => {
  const on = (m: { type: string }): void => { if (m.type === type) { child.off('message', on); resolve(m as T) } }
  child.on('message', on)
})

interface Build { dist: string, child: ChildProcess, url: string, demo: Merchant, key: MicroReady['key'], ids: string[], main: number[], all: number[] }
const root = mkdtempSync(join(tmpdir(), 'paylab-ab-'))
const running: Build[] = []
try {
  for (const [i, dist] of builds.entries()) {
    const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [join(root, `data${i}`), client], {
      execArgv: ['--import', import.meta.resolve('tsx')], env: { ...process.env, MICRO_ROOT: resolve(dist) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    const ready = await next<MicroReady>(child, 'ready')
    const b: Build = { dist, child, url: `http://127.0.0.1:${ready.port}`, demo: { merchant: ready.merchant, secret: ready.secret }, key: ready.key, ids: [], main: [], all: [] }
    running.push(b)
    await measure('warm-up', { url: b.url, pid: child.pid as number, connections, duration: 2 }, createRequest(b.demo, 'wallet', b.key))
    child.send({ type: 'ids' })
    b.ids = (await next<{ ids: string[] }>(child, 'ids')).ids
  }
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const b of round % 2 === 0 ? running : [...running].reverse()) {
      const amount = Math.round(2500 * Number(values.duration))
      const request: Request = work === 'query' ? queryRequest(b.demo, b.ids) : work === 'wallet' ? createRequest(b.demo, 'wallet', b.key) : work === 'rsa' ? rsaRequests(b.demo, b.ids, amount) : { method: 'GET', path: '/healthz' }
      const pid = b.child.pid as number
      const before = userSeconds(pid)
      const m = await measure(work, work === 'rsa' ? { url: b.url, pid, connections, amount } : { url: b.url, pid, connections, duration: Number(values.duration) }, request)
      if (m.non2xx + m.errors > 0) throw new Error(`${b.dist}: ${m.non2xx} non-2xx, ${m.errors} errors: ${m.firstFailure ?? ''}`)
      b.main.push((userSeconds(pid) - before) * 1e6 / m.total)
      b.all.push(m.serverCpuUs)
    }
  }
  const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number
  const show = (a: number[]): string => `best ${Math.min(...a).toFixed(0)} median ${median(a).toFixed(0)}`
  for (const b of running) {
    process.stdout.write(`${work} ${b.dist}: main-thread user µs/req ${show(b.main)} [${b.main.map((x) => x.toFixed(0)).join(' ')}]; all threads ${show(b.all)}\n`)
  }
} finally {
  await Promise.all(running.map((b) => new Promise((resolve) => { b.child.once('exit', resolve); b.child.send({ type: 'close' }) })))
  rmSync(root, { recursive: true, force: true })
}
