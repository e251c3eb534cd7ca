// Load for the benchmark: autocannon runs whose every request is built and signed on the spot,
// as an integrator's client would (node:crypto here, not the gateway's signing code): a fresh
// nonce, timestamp and HMAC-SHA256 signature per request, and a fresh merchant_order_id and
// Idempotency-Key per create.
import { createHmac, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
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
  /** CPU time of the server and of this (load generating) process over wall time, in %. */
  serverCpu: number
  clientCpu: number
  /** Server CPU time per answered request, in µs: less disturbed by other work than req/s. */
  serverCpuUs: number
  /** The first answer that was not 2xx, to say why. */
  firstFailure?: string
}

export interface Target { url: string, pid: number, connections: number, duration?: number, amount?: number }

const TICKS_PER_SECOND = 100 // USER_HZ, 100 on every Linux this runs on

/** CPU seconds (user + system) a process has used so far; NaN where /proc is not there. */
export function cpuSecondsOf (pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    return NaN
  }
}

export interface Merchant { merchant: string, secret: string }

// Nonces and order ids: a random prefix per bench process and a counter, so no two repeat.
const tag = randomBytes(6).toString('hex')
let seq = 0
const next = (): string => `${tag}${(++seq).toString(36).padStart(8, '0')}`

export async function measure (name: string, target: Target, request: Request): Promise<Measurement> {
  let firstFailure: string | undefined
  const onResponse = (status: number, body: string): void => {
    if (firstFailure === undefined && (status < 200 || status > 299)) firstFailure = `${status} ${body.slice(0, 300)}`
  }
  const options = { url: target.url, connections: target.connections, requests: [{ ...request, onResponse }] }
  const started = { wall: performance.now(), server: cpuSecondsOf(target.pid), client: process.cpuUsage() }
  const result: Result = await autocannon(target.amount === undefined ? { ...options, duration: target.duration ?? 10 } : { ...options, amount: target.amount })
  const wall = (performance.now() - started.wall) / 1000
  const client = process.cpuUsage(started.client)
  const serverSeconds = cpuSecondsOf(target.pid) - started.server
  const total = result['2xx'] + result.non2xx
  return {
    name,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    serverCpu: serverSeconds / wall * 100,
    clientCpu: (client.user + client.system) / 1e6 / wall * 100,
    serverCpuUs: serverSeconds * 1e6 / total,
    ...(firstFailure === undefined ? {} : { firstFailure })
  }
}

export const bareRequest = (): Request => ({ method: 'GET', path: '/bare' })

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
  return signed(merchant, 'POST', () => {
    const id = next()
    const payment = method === 'wallet'
      ? { type: 'wallet', wallet: { provider: 'alipay' } }
      : { type: 'card', card: { encrypted: encryptCard(gatewayKey, card('4242424242424242')) } }
    const body = JSON.stringify({ merchant_order_id: `bench-${id}`, amount: 1999, currency: 'USD', method: payment })
    return { path: '/v1/payments', body, headers: { 'idempotency-key': `bench-${id}` } }
  })
}

export function queryRequest (merchant: Merchant, ids: readonly string[]): Request {
  if (ids.length === 0) throw new Error('no payment ids to query')
  return signed(merchant, 'GET', () => ({ path: `/v1/payments/${ids[Math.floor(Math.random() * ids.length)] as string}`, body: '' }))
}
