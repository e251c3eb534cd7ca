// One gateway, one workload at a time, at a given concurrency: server CPU µs per request (what
// to compare on a shared machine), req/s, p99, longest stall, journal syncs per commit, RSS.
//
//   npx tsx bench/micro/gateway.ts [-c 64] [-d 5] [--dir DIR|--memory] [--cpu-prof DIR] query wallet card rsa
//
// `rsa`: RSA-SHA256-signed queries, answered with an RSA-SHA256 signature by the gateway's key.
// The client signs its requests before the measurement (RSA signing would otherwise load
// the client more than the server).
import { fork } from 'node:child_process'
import { generateKeyPairSync, sign, constants } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Request } from 'autocannon'
import { readFileSync } from 'node:fs'
import { createRequest, measure, queryRequest, type Merchant } from '../load.js'
import type { MicroReady, MicroStats } from './server.js'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    connections: { type: 'string', short: 'c', default: '64' },
    duration: { type: 'string', short: 'd', default: '5' },
    dir: { type: 'string' },
    memory: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    profile: { type: 'string' },
    rounds: { type: 'string', default: '1' }
  }
})
const connections = Number(values.connections)
const duration = Number(values.duration)
const root = await mkdtemp(join(tmpdir(), 'paylab-micro-'))
const dir = values.memory ? '--memory' : (values.dir ?? join(root, 'data'))
const client = generateKeyPairSync('rsa', { modulusLength: 2048 })
const clientPublic = client.publicKey.export({ type: 'spki', format: 'pem' }).toString()
const prof = values['cpu-prof'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']]
const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [dir, clientPublic], {
  execArgv: ['--import', import.meta.resolve('tsx'), ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc']
})
const next = <T>(type: string): Promise<T> => new Promise((resolve) => {
  const on = (m: { type: string }): void => { if (m.type === type) { child.off('message', on); resolve(m as T) } }
  child.on('message', on)
})
const ready = await next<MicroReady>('ready')
const url = `http://127.0.0.1:${ready.port}`
const demo: Merchant = { merchant: ready.merchant, secret: ready.secret }
const stats = async (): Promise<MicroStats> => { const s = next<MicroStats>('stats'); child.send({ type: 'stats' }); return await s }

/** CPU seconds of the server's main thread (the event loop) alone. */
function mainThreadSeconds (pid: number): number {
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

let seq = 0
function rsaRequests (ids: string[], count: number): Request {
  const made: Array<{ path: string, headers: Record<string, string> }> = []
  const timestamp = String(Math.floor(Date.now() / 1000))
  for (let i = 0; i < count; i++) {
    const path = `/v1/payments/${ids[i % ids.length] as string}`
    const nonce = `micro${process.pid}x${(++seq).toString(36).padStart(12, '0')}`
    const signature = sign('sha256', Buffer.from(`GET\n${path}\n${timestamp}\n${nonce}\n\n`), { key: client.privateKey, padding: constants.RSA_PKCS1_PADDING }).toString('base64')
    made.push({ path, headers: { 'paylab-merchant': demo.merchant, 'paylab-timestamp': timestamp, 'paylab-nonce': nonce, 'paylab-signature-type': 'RSA-SHA256', 'paylab-signature': signature } })
  }
  let at = 0
  return { method: 'GET', setupRequest: (r) => ({ ...r, method: 'GET', ...made[at++ % made.length] }) }
}

try {
  const key = ready.key
  // Warm-up, and payments to query.
  const warm = await measure('warm-up', { url, pid: child.pid as number, connections, duration: 2 }, createRequest(demo, 'wallet', key))
  if (warm.firstFailure !== undefined) throw new Error(`warm-up: ${warm.firstFailure}`)
  child.send({ type: 'ids' })
  const { ids } = await next<{ ids: string[] }>('ids')
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const w of positionals) {
      await stats()
      const request = w === 'health' ? { method: 'GET', path: '/healthz' } : w === 'query' ? queryRequest(demo, ids) : w === 'wallet' ? createRequest(demo, 'wallet', key) : w === 'card' ? createRequest(demo, 'card', key) : rsaRequests(ids, 2500 * duration)
      const target = w === 'rsa' ? { url, pid: child.pid as number, connections, amount: 2500 * duration } : { url, pid: child.pid as number, connections, duration }
      if (values.profile !== undefined) child.send({ type: 'profile-start' })
      const main = mainThreadSeconds(child.pid as number)
      const m = await measure(w, target, request)
      const mainUs = (mainThreadSeconds(child.pid as number) - main) * 1e6 / m.total
      if (values.profile !== undefined) {
        const done = next('profiled')
        child.send({ type: 'profile-stop', path: join(values.profile, `${w}-${round}.cpuprofile`) })
        await done
      }
      const s = await stats()
      process.stdout.write(`${w.padEnd(7)} ${m.reqPerSec.toFixed(0).padStart(6)} req/s  ${m.serverCpuUs.toFixed(0).padStart(4)} µs CPU/req (${mainUs.toFixed(0)} main thread)  p50 ${m.p50} p99 ${m.p99} ms  ` +
        `stall ${s.maxStallMs.toFixed(0)} ms  GC ${(s.gcMs * 1000 / m.total).toFixed(0)} µs/req  server ${m.serverCpu.toFixed(0)}% client ${m.clientCpu.toFixed(0)}%  ` +
        `${s.syncs > 0 ? `${(m.total / s.syncs).toFixed(1)} commits/fsync  ` : ''}RSS ${s.rssMb.toFixed(0)} MB  ${m.non2xx + m.errors > 0 ? `FAILED ${m.non2xx} non-2xx ${m.errors} errors ${m.firstFailure ?? ''}` : ''}\n`)
    }
  }
} finally {
  await new Promise((resolve) => { child.once('exit', resolve); child.send({ type: 'close' }) })
  await rm(root, { recursive: true, force: true })
}
