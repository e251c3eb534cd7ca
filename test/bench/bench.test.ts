// `npm run bench` in a tiny mode (0.1 s per measurement, 4 connections, 100 payments, no start-up
// figures, WireMock left out: the JVM alone would cost seconds of CPU): every workload is measured
// on both stores, and the --json document has each figure as a finite number, so that a later run
// can be compared with it field by field. The figures themselves are not checked: on a shared
// machine they say nothing.
import t from 'tap'
import { main } from '../../bench/run.js'
import { findWireMock } from '../../bench/wiremock.js'
import { uncoveredEnv } from '../helpers/child-env.js'

const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v)

t.test('npm run bench -- --json: every workload on both stores, every figure a number', async (t) => {
  let out = ''
  let err = ''
  const argv = ['--json', '-c', '4', '-d', '0.1', '--warmup', '0.1', '--payments', '100', '--rounds', '1', '--skip', 'wiremock,startup']
  const code = await main(argv, { stdout: (s) => { out += s }, stderr: (s) => { err += s }, env: uncoveredEnv() })
  t.equal(code, 0, err)
  const doc = JSON.parse(out)

  t.match(doc.machine, { cpus: Number, cpuModel: String, node: process.version, totalMemBytes: Number })
  t.equal(doc.machine.loadavg.length, 3)
  t.ok([...doc.machine.loadavg, ...doc.machine.loadavgAtEnd].every(finite), 'load averages')
  t.same(doc.options, { duration: 0.1, connections: 4, payments: 100, rounds: 1, warmup: 0.1, logLevel: 'warn', skip: ['wiremock', 'startup'] })
  t.equal(doc.peers.wiremock.skipped, 'WireMock skipped: --skip wiremock')

  const workloads = ['signed query GET /v1/payments/{id}', 'signed create (wallet, durable)', 'signed create (card, RSA envelope)',
    'RSA-signed query (RSA-SHA256 request and answer)', 'WeChat Pay v3 query (WECHATPAY2-SHA256-RSA2048)']
  const expected = [
    ...['bare Fastify, canned GET', 'bare Fastify, canned POST'].map((name) => `${name} @ —`),
    ...workloads.flatMap((name) => [`${name} @ empty`, `${name} @ 100`])
  ]
  t.same(doc.summary.map((s: { name: string, store: string }) => `${s.name} @ ${s.store}`).sort(), expected.sort(), 'every workload, each paylab one on both stores')
  t.equal(doc.measurements.length, expected.length, 'one round')
  for (const m of doc.measurements) {
    const figures = ['reqPerSec', 'p50', 'p99', 'serverCpuUs', 'serverCpu', 'clientCpu', 'maxStallMs', 'gcUs', 'seconds']
    t.same(figures.filter((f) => !finite(m[f])), [], `${m.name} @ ${m.store}: finite figures`)
    t.ok(m.reqPerSec > 0 && m.serverCpuUs > 0 && m.total > 0, `${m.name} @ ${m.store}: answered, with server CPU`)
    t.equal(m.non2xx + m.errors, 0, `${m.name} @ ${m.store}: every answer 2xx`)
  }
  for (const s of doc.summary) t.ok(['reqPerSec', 'p50', 'p99', 'worstP99', 'serverCpuUs', 'maxStallMs'].every((f) => finite(s[f])), `${s.name} @ ${s.store}: summary`)

  t.ok([doc.memory.emptyRssBytes, doc.memory.largeRssBytes, doc.memory.rssBytesPerPayment, doc.memory.heapBytesPerPayment].every(finite), 'memory figures')
  t.ok(doc.memory.emptyRssBytes > 10e6, 'an RSS in bytes')
  t.equal(doc.rawSignPerSec.length, 1)
  t.ok(doc.rawSignPerSec[0] > 0, 'raw crypto.sign rate')
  t.same(doc.stores.open.map((o: { payments: number }) => o.payments), [0, 100])

  // The six targets: those against WireMock say it was skipped; every other has a value and a verdict.
  t.equal(doc.targets.length, 11)
  for (const target of doc.targets) {
    if (/WireMock/.test(target.name)) t.match(target, { value: null, pass: null, skipped: 'WireMock skipped: --skip wiremock' }, target.name)
    else t.ok(finite(target.value) && typeof target.pass === 'boolean', `${target.name}: ${String(target.value)} (${target.goal})`)
  }
  for (const ratio of doc.ratios) t.ok(/WireMock/.test(ratio.name) ? ratio.value === null : finite(ratio.value), ratio.name)
  t.match(err, /\| target \(issue 17\) \| value \| per round \| goal \| result \|/, 'the tables go to stderr with --json')
})

t.test('a bad option: exit code 2 and the usage', async (t) => {
  let err = ''
  t.equal(await main(['--skip', 'prism'], { stderr: (s) => { err += s } }), 2)
  t.match(err, /--skip takes wiremock, startup, not prism/)
  t.match(err, /usage: npm run bench/)
})

t.test('WireMock is skipped with one line when java is not found', async (t) => {
  const path = process.env.PATH
  t.teardown(() => { process.env.PATH = path })
  process.env.PATH = '/nonexistent'
  t.same(await findWireMock(), { skipped: 'WireMock skipped: java not found' })
})
