// `npm run bench` in a tiny mode (0.1 s per measurement, 0.05 s warm-up, 4 connections, one gateway on a fresh
// store, no start-up figures, WireMock and the seeded large store left out: each process costs
// seconds of CPU): every workload is measured on the gateway and on the bare Fastify peer, and the
// --json document has each figure as a finite number, so that a later run can be compared with it
// field by field. What the run makes of two stores (a figure per store, the targets and ratios
// between them) is checked on rows made here. The figures themselves are not checked: on a
// shared machine they say nothing.
import t from 'tap'
import { main } from '../../bench/run.js'
import { summarize, type Row } from '../../bench/report.js'
import { BARE_GET, BARE_POST, BEFORE_STORE, CARD, CARD_BEFORE, cardBefore, evaluate, PAYLAB, QUERY, RSA_ANSWERS, WECHATPAY } from '../../bench/targets.js'
import { findWireMock } from '../../bench/wiremock.js'
import { uncoveredEnv, untracked } from '../helpers/child-env.js'

const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v)
const LARGE_SKIPPED = 'large store skipped: --skip large'

t.test('npm run bench -- --json: every workload on the gateway and the peer, every figure a number', async (t) => {
  let out = ''
  let err = ''
  const argv = ['--json', '-c', '4', '-d', '0.1', '--warmup', '0.05', '--quiet', '0', '--payments', '100', '--rounds', '1', '--skip', 'wiremock,startup,large,postgres,before']
  const code = await main(argv, { stdout: (s) => { out += s }, stderr: (s) => { err += s }, env: uncoveredEnv(), command: untracked })
  t.equal(code, 0, err)
  const doc = JSON.parse(out)

  t.match(doc.machine, { cpus: Number, cpuModel: String, node: process.version, totalMemBytes: Number })
  t.equal(doc.machine.loadavg.length, 3)
  t.ok([...doc.machine.loadavg, ...doc.machine.loadavgAtEnd].every(finite), 'load averages')
  t.same(doc.options, { duration: 0.1, connections: 4, payments: 100, rounds: 1, warmup: 0.05, quiet: 0, logLevel: 'warn', skip: ['wiremock', 'startup', 'large', 'postgres', 'before'], rsaOnEventLoop: false })
  t.equal(doc.peers.wiremock.skipped, 'WireMock skipped: --skip wiremock')
  t.same(doc.postgres, { skipped: 'PostgreSQL store skipped: --skip postgres' })

  const expected = [
    ...[BARE_GET, BARE_POST].map((name) => `${name} @ —`),
    ...PAYLAB.map((name) => `${name} @ empty`)
  ]
  t.same(doc.summary.map((s: { name: string, store: string }) => `${s.name} @ ${s.store}`).sort(), expected.sort(), 'every workload, the paylab ones on the gateway')
  t.equal(doc.measurements.length, expected.length, 'one round')
  for (const m of doc.measurements) {
    const figures = ['reqPerSec', 'p50', 'p99', 'serverCpuUs', 'serverCpu', 'clientCpu', 'maxStallMs', 'gcUs', 'maxGcMs', 'seconds']
    t.same(figures.filter((f) => !finite(m[f])), [], `${m.name} @ ${m.store}: finite figures`)
    // The server says its own CPU time to the µs: a 0.1 s measurement can use less than a tick of /proc.
    // (0.05 s per measurement was too short for a card create to be answered at a load average of 10.)
    t.ok(m.reqPerSec > 0 && m.serverCpuUs > 0 && m.total > 0, `${m.name} @ ${m.store}: answered, with server CPU`)
    t.equal(m.non2xx + m.errors, 0, `${m.name} @ ${m.store}: every answer 2xx`)
  }
  for (const s of doc.summary) t.ok(['reqPerSec', 'p50', 'p99', 'worstP99', 'serverCpuUs', 'maxStallMs'].every((f) => finite(s[f])), `${s.name} @ ${s.store}: summary`)

  t.ok(finite(doc.memory.emptyRssBytes) && doc.memory.emptyRssBytes > 10e6, 'an RSS in bytes')
  t.same([doc.memory.largeRssBytes, doc.memory.rssBytesPerPayment, doc.memory.heapBytesPerPayment], [null, null, null], 'no large store, no figure per payment')
  t.equal(doc.rawSignPerSec.length, 1)
  t.ok(doc.rawSignPerSec[0] > 0, 'raw crypto.sign rate')
  t.same(doc.stores.open.map((o: { store: string, payments: number }) => [o.store, o.payments]), [['empty', 0]])
  // As `paylab gateway` runs: a gateway given a crypto provider of its own starts no pool, and the bench once measured that.
  t.same(doc.stores.open.map((o: { rsaWork: string }) => o.rsaWork), ['worker pool'], 'the gateway under test signs and unwraps RSA on the worker pool')

  // The targets: those against WireMock or the large store say they were skipped; every other has a value and a verdict.
  t.equal(doc.targets.length, 11)
  for (const target of doc.targets) {
    if (/WireMock/.test(target.name)) t.match(target, { value: null, pass: null, skipped: 'WireMock skipped: --skip wiremock' }, target.name)
    else if (/100 store|large store/.test(target.name)) t.match(target, { value: null, pass: null, skipped: LARGE_SKIPPED }, target.name)
    else t.ok(finite(target.value) && typeof target.pass === 'boolean', `${target.name}: ${String(target.value)} (${target.goal})`)
  }
  for (const ratio of doc.ratios) t.ok(/WireMock| 100 \/ empty/.test(ratio.name) ? ratio.value === null : finite(ratio.value), ratio.name)
  t.match(err, /\| target \(issue 17\) \| value \| per round \| goal \| result \|/, 'the tables go to stderr with --json')
})

t.test('two stores over two rounds: a summary per store, targets and ratios within each round', async (t) => {
  // req/s of each measurement: the peer's, then each paylab workload's, on the empty and the large store.
  const rate = (name: string, store: string, round: number): number => (name.length + (store === '100' ? 7 : store === 'empty' ? 3 : 0)) * 10 * round
  const row = (name: string, store: string, round: number): Row => ({
    name, store, round, reqPerSec: rate(name, store, round), p50: round, p99: 4 * round + (store === '100' ? 1 : 0), total: 10 * round, non2xx: 0, errors: 0, seconds: 0.1,
    serverCpu: 50, clientCpu: 40, serverCpuUs: 100 * round, maxStallMs: 3 * round, gcUs: 1, maxGcMs: 2 * round, compactions: store === '100' ? 1 : 0
  })
  const rows = [1, 2].flatMap((round) => [
    ...[BARE_GET, BARE_POST].map((name) => row(name, '—', round)),
    ...PAYLAB.flatMap((name) => ['empty', '100'].map((store) => row(name, store, round)))
  ])
  const summary = summarize(rows)
  t.same(summary.map((s) => `${s.name} @ ${s.store}`), rows.filter((r) => r.round === 1).map((r) => `${r.name} @ ${r.store}`), 'one summary per measurement and store, in the order measured')
  const query100 = summary.find((s) => s.name === QUERY && s.store === '100')
  t.match(query100, { reqPerSec: rate(QUERY, '100', 1.5), worstP99: 9, maxGcMs: 4, compactions: 2, requests: 30, failed: 0 }, 'medians over the rounds, the worst p99 and GC pause, sums')

  const { targets, ratios } = evaluate({ rows, rounds: 2, stores: { empty: 'empty', large: '100' }, rawSignPerSec: [100, 200], rssBytesPerPayment: 1200, cardBefore: CARD_BEFORE, wiremockSkipped: 'WireMock skipped: --skip wiremock' })
  const value = (list: typeof targets, name: string): number | null | undefined => list.find((r) => r.name === name)?.value
  t.equal(value(targets, `3. card creates / before (${CARD_BEFORE.large} req/s), 100 store`), rate(CARD, '100', 1.5) / CARD_BEFORE.large, 'card creates of the large store over its figure before')
  t.equal(value(targets, '6. RSA-signed answers / raw crypto.sign of one core, empty store'), rate(RSA_ANSWERS, 'empty', 1) / 100, 'the ratio of each round (the same in both), then the median')
  t.match(targets.find((r) => r.name.startsWith('5. ')), { value: 1200, pass: true })
  t.match(targets.find((r) => r.name.startsWith('4. worst p99')), { value: 9, pass: true })
  t.equal(value(ratios, `${WECHATPAY}, 100 / empty`), rate(WECHATPAY, '100', 1) / rate(WECHATPAY, 'empty', 1), 'large over empty, per workload')
  t.equal(value(ratios, 'signed query / bare Fastify GET'), rate(QUERY, 'empty', 1) / rate(BARE_GET, '—', 1))
  const slowCards = rows.map((r) => r.name === CARD ? { ...r, p99: 50, maxStallMs: 40 } : r.name === BARE_GET && r.round === 2 ? { ...r, maxStallMs: 7 } : r)
  const beside = evaluate({ rows: slowCards, rounds: 2, stores: { empty: 'empty', large: '100' }, rawSignPerSec: [100, 200], rssBytesPerPayment: 1200, cardBefore: CARD_BEFORE }).ratios
  t.equal(value(beside, 'longest event-loop stall of bare Fastify, ms (the floor of the machine)'), 7, 'the longest stall of bare Fastify over the rounds, not of the gateway')
  t.equal(value(beside, 'worst p99 of the HMAC workloads (signed query, wallet create), ms'), 9, 'the worst p99 of the query and the wallet create, not of the RSA work')
  t.equal(targets.length, 11)
  t.ok(targets.every((r) => /WireMock/.test(r.name) ? r.value === null && r.skipped !== undefined : finite(r.value) && typeof r.pass === 'boolean'), 'a value and a verdict for every target but those against WireMock')

  const skipped = evaluate({ rows: rows.filter((r) => r.store !== '100'), rounds: 2, stores: { empty: 'empty', large: '100' }, rawSignPerSec: [100, 200], rssBytesPerPayment: NaN, cardBefore: CARD_BEFORE, largeSkipped: LARGE_SKIPPED })
  t.same(skipped.targets.filter((r) => r.skipped === LARGE_SKIPPED).map((r) => r.name), targets.filter((r) => /100 store|large store/.test(r.name)).map((r) => r.name), '--skip large: the large store\'s targets say so')
  t.same(skipped.ratios.filter((r) => r.skipped === LARGE_SKIPPED).length, PAYLAB.length)
})

t.test('target 3 against the gateway with RSA on the event loop, measured in the same rounds', async (t) => {
  const row = (name: string, store: string, round: number, reqPerSec: number, p99 = 5, maxStallMs = 5): Row => ({
    name, store, round, reqPerSec, p50: 1, p99, total: 10, non2xx: 0, errors: 0, seconds: 0.1,
    serverCpu: 50, clientCpu: 40, serverCpuUs: 100, maxStallMs, gcUs: 1, maxGcMs: 1, compactions: 0
  })
  const rows = [1, 2].flatMap((round) => [
    ...PAYLAB.flatMap((name) => ['empty', '100'].map((store) => row(name, store, round, name === CARD ? 300 * round : 1000))),
    row(CARD, BEFORE_STORE, round, 200 * round + 50, 900, 700)
  ])
  const { targets } = evaluate({ rows, rounds: 2, stores: { empty: 'empty', large: '100' }, rawSignPerSec: [100, 200], rssBytesPerPayment: 1200, cardBefore: CARD_BEFORE })
  const three = targets.filter((r) => r.name.startsWith('3. '))
  t.same(three.map((r) => r.name), ['empty', '100'].map((s) => `3. card creates / the same build with RSA on the event loop (same round, its store empty), ${s} store`), 'the in-run before, not the old figures')
  t.same(three[0]?.perRound, [300 / 250, 600 / 450], 'each round over its own before')
  t.equal(targets.find((r) => r.name.startsWith('4. worst p99'))?.value, 5, 'the before gateway\'s p99 is not target 4\'s')
  t.equal(targets.find((r) => r.name.startsWith('4. longest'))?.value, 5, 'nor its stalls')
  const without = evaluate({ rows: rows.filter((r) => r.store !== BEFORE_STORE), rounds: 2, stores: { empty: 'empty', large: '100' }, rawSignPerSec: [100, 200], rssBytesPerPayment: 1200, cardBefore: CARD_BEFORE }).targets
  t.match(without.find((r) => r.name.startsWith('3. '))?.name, /before \(1552 req\/s, docs\/performance.md/, '--skip before: the figure of cardBefore')
})

t.test('target 3\'s before: the --baseline run\'s card creates, named for how it ran RSA', async (t) => {
  const stores = { empty: 'empty', large: '100' }
  const summary = [{ name: CARD, store: 'empty', reqPerSec: 700 }, { name: CARD, store: '100', reqPerSec: 650 }, { name: QUERY, store: 'empty', reqPerSec: 9000 }]
  t.same(cardBefore(undefined, stores), CARD_BEFORE, 'no baseline: the figures of 2026-11-27')
  t.same(cardBefore({ summary, options: { rsaOnEventLoop: true } }, stores), { empty: 700, large: 650, source: 'the --baseline run, RSA on the event loop' })
  t.same(cardBefore({ summary, options: { rsaOnEventLoop: false } }, stores), { empty: 700, large: 650, source: 'the --baseline run' })
  t.same(cardBefore({ summary: summary.slice(0, 1) }, stores), CARD_BEFORE, 'a baseline without both stores\' card creates is not used')
})

t.test('a bad option: exit code 2 and the usage', async (t) => {
  let err = ''
  t.equal(await main(['--skip', 'prism'], { stderr: (s) => { err += s } }), 2)
  t.match(err, /--skip takes wiremock, startup, large, postgres, before, not prism/)
  t.match(err, /usage: npm run bench/)
})

t.test('WireMock is skipped with one line when java is not found', async (t) => {
  const path = process.env.PATH
  t.teardown(() => { process.env.PATH = path })
  process.env.PATH = '/nonexistent'
  t.same(await findWireMock(), { skipped: 'WireMock skipped: java not found' })
})
