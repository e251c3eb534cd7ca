// Load for the benchmark: autocannon runs whose every request is built and signed on the spot,
// as an integrator's client would (node:crypto here, not the gateway's signing code): a fresh
// nonce, timestamp and HMAC-SHA256 signature per request, and a fresh merchant_order_id and
// Idempotency-Key per create. RSA-signed requests cost the client as much as the server, so they
// are signed before the measurement instead (bench/presigned.ts) and sent from a pool.
import { createHmac, createPublicKey, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import autocannon, { type Request, type Result } from 'autocannon'
import { card, encryptCard } from '../test/helpers/envelope.js'

export interface Measurement {
  name: string
  reqPerSec: number
  p50: number
  p99: number
  total: number
  non2xx: number
  errors: number
  /** Wall time of the measurement, s: from its start to the last answer. */
  seconds: number
  /** CPU time of the server and of this (load generating) process over wall time, in %. */
  serverCpu: number
  clientCpu: number
  /** Server CPU time per answered request, in µs: less disturbed by other work than req/s. */
  serverCpuUs: number
  /** The first answer that was not 2xx, to say why. */
  firstFailure?: string
}

/**
 * How long to load a server: for `duration` s, or until `amount` requests are answered. Its CPU
 * time is read with `cpu` where the server can say it (the bench's own servers, to the µs), else
 * from /proc in ticks of 10 ms (WireMock's JVM): too coarse for a short measurement.
 */
export interface Target { url: string, pid: number, connections: number, duration?: number, amount?: number, cpu?: () => Promise<number> }

const TICKS_PER_SECOND = 100 // USER_HZ, 100 on every Linux this runs on

function statFields (pid: number | string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  } catch {
    return undefined
  }
}

/**
 * CPU seconds (user + system) a process has used so far, all its threads (a worker pool's
 * included) and its child processes, running or ended; NaN where /proc is not there.
 */
export function cpuSecondsOf (pid: number): number {
  const own = statFields(pid)
  if (own === undefined) return NaN
  const ticks = (f: string[]): number => Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
  let total = ticks(own)
  // Children still running are not in cutime/cstime yet: add every descendant's own.
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const f = statFields(entry)
    if (f === undefined) continue
    const parent = Number(f[1])
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)])
  }
  const queue = [...(children.get(pid) ?? [])]
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const f = statFields(next)
    if (f !== undefined) total += Number(f[11]) + Number(f[12])
    queue.push(...(children.get(next) ?? []))
  }
  return total / TICKS_PER_SECOND
}

export interface Merchant { merchant: string, secret: string }

// Nonces and order ids: a random prefix per bench process and a counter, so no two repeat.
const tag = randomBytes(6).toString('hex')
let seq = 0
export const next = (): string => `${tag}${(++seq).toString(36).padStart(8, '0')}`

export async function measure (name: string, target: Target, request: Request): Promise<Measurement> {
  let firstFailure: string | undefined
  let last = 0
  const onResponse = (status: number, body: string): void => {
    last = performance.now()
    if (firstFailure === undefined && (status < 200 || status > 299)) firstFailure = `${status} ${body.slice(0, 300)}`
  }
  // autocannon ends a run at its first sample after the end (or after the last of `amount`): samples
  // every 100 ms instead of every second keep a short or counted run from idling up to a second.
  const options = { url: target.url, connections: target.connections, sampleInt: 100, requests: [{ ...request, onResponse }] }
  const serverCpu = target.cpu ?? (async () => cpuSecondsOf(target.pid))
  const started = { server: await serverCpu(), wall: performance.now(), client: process.cpuUsage() }
  const result: Result = await autocannon(target.amount === undefined ? { ...options, duration: target.duration ?? 10 } : { ...options, amount: target.amount })
  const serverSeconds = await serverCpu() - started.server
  const client = process.cpuUsage(started.client)
  // Rates over the time the server was busy: from the start to the last answer.
  const wall = ((last > 0 ? last : performance.now()) - started.wall) / 1000
  const total = result['2xx'] + result.non2xx
  return {
    name,
    reqPerSec: total / wall,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: wall,
    serverCpu: serverSeconds / wall * 100,
    clientCpu: (client.user + client.system) / 1e6 / wall * 100,
    serverCpuUs: serverSeconds * 1e6 / total,
    ...(firstFailure === undefined ? {} : { firstFailure })
  }
}

/** Sends the requests of a pool once each, in order (each carries a nonce the gateway accepts once). */
export function fromPool (pool: readonly Request[]): Request {
  let i = 0
  return { setupRequest: (request) => ({ ...request, ...pool[Math.min(i++, pool.length - 1)] }) }
}

/** A request whose path and body are made anew, then signed, for every send. */
function signed (merchant: Merchant, method: string, make: () => { path: string, body: string, headers?: Record<string, string> }): Request {
  return {
    method,
    setupRequest: (request) => {
      const { path, body, headers = {} } = make()
      const timestamp = String(Math.floor(Date.now() / 1000))
      const nonce = next()
      const signature = createHmac('sha256', merchant.secret).update(`${method}\n${path}\n${timestamp}\n${nonce}\n${body}\n`).digest('base64')
      return {
        ...request,
        method,
        path,
        body,
        headers: {
          'paylab-merchant': merchant.merchant,
          'paylab-timestamp': timestamp,
          'paylab-nonce': nonce,
          'paylab-signature-type': 'HMAC-SHA256',
          'paylab-signature': signature,
          ...(body === '' ? {} : { 'content-type': 'application/json' }),
          ...headers
        }
      }
    }
  }
}

export type CreateMethod = 'wallet' | 'card'

export function createRequest (merchant: Merchant, method: CreateMethod, gatewayKey: { id: string, public_key: string }): Request {
  // Parsed once, as an integrator's client keeps the gateway's key: a PEM parsed for every
  // envelope cost the load generator more CPU than the envelope, on the cores the server shares.
  const key = { id: gatewayKey.id, public_key: createPublicKey(gatewayKey.public_key) }
  return signed(merchant, 'POST', () => {
    const id = next()
    const payment = method === 'wallet'
      ? { type: 'wallet', wallet: { provider: 'alipay' } }
      : { type: 'card', card: { encrypted: encryptCard(key, card('4242424242424242')) } }
    const body = JSON.stringify({ merchant_order_id: `bench-${id}`, amount: 1999, currency: 'USD', method: payment })
    return { path: '/v1/payments', body, headers: { 'idempotency-key': `bench-${id}` } }
  })
}

export const pick = (ids: readonly string[]): string => ids[Math.floor(Math.random() * ids.length)] as string

export function queryRequest (merchant: Merchant, ids: readonly string[]): Request {
  if (ids.length === 0) throw new Error('no payment ids to query')
  return signed(merchant, 'GET', () => ({ path: `/v1/payments/${pick(ids)}`, body: '' }))
}
