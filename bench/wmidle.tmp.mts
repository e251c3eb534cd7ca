import { findWireMock, startWireMock } from './wiremock.js'
import { cpuSecondsOf } from './load.js'
import autocannon from 'autocannon'
import { mkdtemp } from 'node:fs/promises'
const f = await findWireMock(); if (!('jar' in f)) throw new Error('no jar')
const root = await mkdtemp('/tmp/wm-')
const wm = await startWireMock(f.jar, root, { query: '{"id":"x"}', create: '{"id":"y"}' })
for (let r = 0; r < 3; r++) {
  await autocannon({ url: wm.url + '/v1/payments/pay_1', connections: 64, duration: 10 })
  let last = cpuSecondsOf(wm.pid)
  const out: string[] = []
  for (let i = 0; i < 12; i++) { await new Promise((r) => setTimeout(r, 500)); const c = cpuSecondsOf(wm.pid); out.push(((c - last) / 0.5 * 100).toFixed(0) + '%'); last = c }
  console.log('after load', r, out.join(' '))
}
await wm.stop()
