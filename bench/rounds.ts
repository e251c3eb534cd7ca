// One round of measurements: the peers and every workload on both stores, interleaved so that the
// machine's background load falls on all alike; the order of the stores alternates by round.
import type { Request } from 'autocannon'
import { createRequest, measure, queryRequest, fromPool, type Target } from './load.js'
import { rsaQueries, wechatpayQueries } from './presigned.js'
import { quiet } from './quiet.js'
import type { ServerProcess } from './processes.js'
import type { Row } from './report.js'
import type { GatewayFacts } from './protocol.js'
import { rawSignRate } from './sign-rate.js'
import { BARE_GET, BARE_POST, CARD, QUERY, RSA_ANSWERS, WALLET, WECHATPAY, WIREMOCK_GET, WIREMOCK_POST } from './targets.js'
import type { WireMock } from './wiremock.js'

export interface Gateway {
  store: string
  server: ServerProcess & { facts: GatewayFacts }
  /** Payments to query: the demo merchant's, the RSA merchant's, and WeChat Pay out_trade_nos. */
  ids: string[]
  rsaIds: string[]
  outTradeNos: string[]
}

export interface Bench {
  duration: number
  connections: number
  bare: ServerProcess
  wiremock?: WireMock
  gateways: Gateway[]
  /** Target 3's before: a gateway with RSA work on the event loop, card creates only (absent with --skip before). */
  before?: Gateway
  rows: Row[]
  rawSignPerSec: number[]
  /** The private key the RSA merchant signs with. */
  rsaPrivateKey: string
  log: (line: string) => void
  /** The longest a measurement waits for the servers to go idle (--quiet, in ms; 0: it does not wait). */
  quietMs: number
}

interface Measured { url: string, pid: number, stats?: ServerProcess['stats'], cpu?: ServerProcess['cpu'] }

/** Measures a request on a server and keeps the row. A pool of pre-signed requests is sent once, whole. */
async function record (b: Bench, round: number, name: string, store: string, server: Measured, request: Request | { pool: Request[] }): Promise<Row> {
  const target: Target = { url: server.url, pid: server.pid, connections: b.connections, ...(server.cpu === undefined ? {} : { cpu: server.cpu }) }
  // A pool holds a few more than are sent: autocannon may start a request or two past the count.
  if ('pool' in request) target.amount = Math.max(1, request.pool.length - b.connections)
  else target.duration = b.duration
  // A compaction a workload started goes on after it, on the same two cores: every measurement
  // starts with both gateways' stores settled.
  for (const g of b.before === undefined ? b.gateways : [...b.gateways, b.before]) {
    const waited = await g.server.settle()
    if (waited > 100) b.log(`[round ${round}] waited ${waited.toFixed(0)} ms for the ${g.store} store's compaction before ${name}, ${store}`)
  }
  const pids = [b.bare.pid, ...(b.wiremock === undefined ? [] : [b.wiremock.pid]), ...[...b.gateways, ...(b.before === undefined ? [] : [b.before])].map((g) => g.server.pid)]
  const still = await quiet(pids, { maxMs: b.quietMs })
  if (!still.idle) b.log(`[round ${round}] the servers were still busy after ${(still.waitedMs / 1000).toFixed(1)} s; measuring ${name}, ${store} anyway`)
  else if (still.waitedMs > 500) b.log(`[round ${round}] waited ${(still.waitedMs / 1000).toFixed(1)} s for the servers to go idle before ${name}, ${store}`)
  const before = await server.stats?.()
  const m = await measure(name, target, 'pool' in request ? fromPool(request.pool) : request)
  const after = await server.stats?.()
  const row: Row = {
    ...m,
    store,
    round,
    maxStallMs: after?.maxStallMs ?? NaN,
    gcUs: after === undefined ? NaN : after.gcMs * 1000 / m.total,
    maxGcMs: after?.maxGcMs ?? NaN,
    compactions: after === undefined || before === undefined ? 0 : after.journal - before.journal,
    quietWaitMs: still.waitedMs
  }
  b.rows.push(row)
  b.log(`[round ${round}] ${name}, ${store}: ${m.reqPerSec.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.serverCpuUs.toFixed(0)} µs CPU/req` +
    (Number.isFinite(row.maxStallMs) ? `, GC ${row.gcUs.toFixed(0)} µs/req, longest stall ${row.maxStallMs.toFixed(0)} ms (longest GC pause ${row.maxGcMs.toFixed(0)} ms)` : '') +
    (row.compactions > 0 ? `, ${row.compactions} compaction(s)` : ''))
  return row
}

/** How many requests to sign for a pooled measurement to last about `duration`: at the rate this workload had last time, else at `guess`/s. */
function poolSize (b: Bench, name: string, store: string, guess: number): number {
  const last = [...b.rows].reverse().find((r) => r.name === name && r.store === store)?.reqPerSec
  const rate = last !== undefined && Number.isFinite(last) && last > 0 ? last : guess
  return Math.max(4 * b.connections, Math.ceil(rate * b.duration)) + b.connections
}

export async function round (b: Bench, n: number): Promise<void> {
  const raw = rawSignRate(Math.min(b.duration, 3))
  b.rawSignPerSec.push(raw.perSec)
  b.log(`[round ${n}] raw crypto.sign (RSA-2048, SHA-256) on one core: ${raw.perSec.toFixed(0)}/s (${raw.perCpuSec.toFixed(0)} per CPU second)`)
  const order = n % 2 === 1 ? b.gateways : [...b.gateways].reverse()
  const sample = b.gateways[0] as Gateway
  const each = async (name: string, request: (g: Gateway) => Request | Promise<Request | { pool: Request[] }>): Promise<void> => {
    for (const g of order) await record(b, n, name, g.store, g.server, await request(g))
  }

  await record(b, n, BARE_GET, '—', b.bare, queryRequest(sample.server.facts.demo, sample.ids))
  if (b.wiremock !== undefined) await record(b, n, WIREMOCK_GET, '—', b.wiremock, queryRequest(sample.server.facts.demo, sample.ids))
  await each(QUERY, (g) => queryRequest(g.server.facts.demo, g.ids))

  await record(b, n, BARE_POST, '—', b.bare, createRequest(sample.server.facts.demo, 'wallet', sample.server.facts.key))
  if (b.wiremock !== undefined) await record(b, n, WIREMOCK_POST, '—', b.wiremock, createRequest(sample.server.facts.demo, 'wallet', sample.server.facts.key))
  await each(WALLET, (g) => createRequest(g.server.facts.demo, 'wallet', g.server.facts.key))
  // The third gateway's card creates take their turn in the alternation too (last in odd rounds,
  // first in even ones): measured after the others every time, they would always meet the
  // background work (delivery attempts) the others' card payments leave.
  const cards = b.before === undefined ? order : n % 2 === 1 ? [...order, b.before] : [b.before, ...order]
  for (const g of cards) await record(b, n, CARD, g.store, g.server, createRequest(g.server.facts.demo, 'card', g.server.facts.key))

  // The gateway signs one RSA answer per request: at best about the raw rate of a core, or of two.
  await each(RSA_ANSWERS, async (g) => ({ pool: await rsaQueries(g.server.facts.rsa.merchant, b.rsaPrivateKey, g.rsaIds, poolSize(b, RSA_ANSWERS, g.store, 1.5 * raw.perSec)) }))
  await each(WECHATPAY, async (g) => {
    const guess = [...b.rows].reverse().find((r) => r.name === RSA_ANSWERS && r.store === g.store)?.reqPerSec ?? raw.perSec
    return { pool: await wechatpayQueries(g.server.facts.wechatpay, g.outTradeNos, poolSize(b, WECHATPAY, g.store, guess)) }
  })
}
