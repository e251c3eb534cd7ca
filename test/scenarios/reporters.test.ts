// TAP and JUnit output are well-formed: TAP as tap-parser reads it, JUnit as an XML parser
// (Python's ElementTree) reads it, with awkward names and messages.
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import t from 'tap'
import { Parser } from 'tap-parser'
import { junitXml } from '../../scenarios/runner/reporters/junit.js'
import { tapReporter } from '../../scenarios/runner/reporters/tap.js'
import type { Scenario, ScenarioResult } from '../../scenarios/runner/types.js'
import { runCli } from '../helpers/cli.js'
import { fixture, run } from './helpers.js'

const scenario = (name: string, file = 'scenarios/x.yaml'): Scenario => ({
  file, line: 3, name, tags: [], timeoutMs: 1000, exclusive: false, vars: {}, merchant: {}, shop: {}, steps: [{ number: 2, line: 7, kind: 'expect.order', args: {} }]
})

const RESULTS: ScenarioResult[] = [
  { scenario: scenario('plain pass'), outcome: 'passed', ms: 12 },
  {
    scenario: scenario('fails with <xml> & "quotes" # and a hash'),
    outcome: 'failed',
    ms: 340,
    failure: {
      step: { number: 2, line: 7, kind: 'expect.order', args: {} },
      message: 'expect.order: a mismatch\u0007',
      mismatches: [{ path: 'order.status', expected: 'paid', seen: 'pending_payment' }],
      journal: ['#3 10:00:00.000 POST /v1/payments → 201 order=o-1 ']
    }
  },
  { scenario: scenario('unreachable', 'scenarios/y.yaml'), outcome: 'error', ms: 5, failure: { step: undefined, message: 'GET http://x: cannot be reached (ECONNREFUSED)', mismatches: [], journal: [] } },
  { scenario: scenario('skipped one', 'scenarios/y.yaml'), outcome: 'skipped', ms: 0, skipReason: 'not run against --shop: a reason' }
]

interface TapSummary { ok: boolean, count: number, pass: number, fail: number, skip: number, plan: { end: number }, extra: string[], failures: Array<{ name: string, diag: Record<string, unknown> }> }

function parseTap (text: string): Promise<TapSummary> {
  return new Promise((resolve) => {
    const extra: string[] = []
    const parser = new Parser((r) => resolve({ ...(r as unknown as TapSummary), extra }))
    parser.on('extra', (line: string) => extra.push(line))
    parser.end(text)
  })
}

function parseXml (xml: string): { suites: Array<Record<string, string>>, cases: Array<{ name: string, kind: string | null, message: string | null }> } {
  const script = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
out = {'root': dict(root.attrib), 'suites': [dict(s.attrib) for s in root], 'cases': []}
for c in root.iter('testcase'):
    child = next(iter(c), None)
    out['cases'].append({'name': c.get('name'), 'kind': child.tag if child is not None else None, 'message': child.get('message') if child is not None else None})
print(json.dumps(out))`
  return JSON.parse(execFileSync('python3', ['-c', script], { input: xml }).toString('utf8'))
}

t.test('TAP: a plan, a test point per scenario, YAML diagnostics for failures, nothing tap-parser cannot read', async (t) => {
  let text = ''
  const reporter = tapReporter((s) => { text += s })
  reporter.start(RESULTS.length, 'header line')
  RESULTS.forEach((r, i) => reporter.result(r, i))
  reporter.end(RESULTS, 400)
  const tap = await parseTap(text)
  t.same(tap.extra, [])
  t.equal(tap.plan.end, 4)
  t.same([tap.count, tap.pass, tap.fail, tap.skip], [4, 2, 2, 1])
  t.equal(tap.failures[0]?.name, 'fails with <xml> & "quotes" # and a hash')
  t.match(tap.failures[0]?.diag, { at: 'scenarios/x.yaml:7 step 2 expect.order', mismatches: ['order.status: expected "paid", seen "pending_payment"'], journal: ['#3 10:00:00.000 POST /v1/payments → 201 order=o-1 '] })
  t.match(tap.failures[1]?.diag, { severity: 'runtime error', message: /ECONNREFUSED/ })
})

t.test('JUnit: a suite per file, the right counts, escaped text, no characters XML cannot hold', async (t) => {
  const xml = junitXml(RESULTS, 400, new Date('2030-01-02T03:04:05Z'))
  const parsed = parseXml(xml)
  t.match(parsed, {
    suites: [
      { name: 'scenarios/x.yaml', tests: '2', failures: '1', errors: '0', skipped: '0', timestamp: '2030-01-02T03:04:05' },
      { name: 'scenarios/y.yaml', tests: '2', failures: '0', errors: '1', skipped: '1' }
    ]
  })
  t.same(parsed.cases, [
    { name: 'plain pass', kind: null, message: null },
    { name: 'fails with <xml> & "quotes" # and a hash', kind: 'failure', message: 'expect.order: a mismatch' },
    { name: 'unreachable', kind: 'error', message: 'GET http://x: cannot be reached (ECONNREFUSED)' },
    { name: 'skipped one', kind: 'skipped', message: 'not run against --shop: a reason' }
  ])
  t.match(xml, /<testsuites name="paylab scenarios" tests="4" failures="1" errors="1" skipped="1" time="0\.400">/)
})

t.test('the CLI writes TAP to stdout and JUnit to a file, from a real run', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-junit-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const junit = join(dir, 'nested', 'report.xml')
  const out = await runCli(['scenarios', 'run', 'test/scenarios/fixtures/passing.yaml', '--reporter', 'tap', '--junit', junit])
  t.equal(out.code, 1, 'one of the two fixture scenarios fails')
  const tap = await parseTap(out.stdout)
  t.same(tap.extra, [])
  t.same([tap.plan.end, tap.pass, tap.fail], [2, 1, 1])
  t.match(tap.failures[0]?.diag, { at: /passing\.yaml:14 step 2 http/, mismatches: ['status: expected 418, seen 200', /^body: expected \{"contains":"<&\\"'>"\}, seen /] })
  const parsed = parseXml(await readFile(junit, 'utf8'))
  t.match(parsed.suites, [{ name: 'test/scenarios/fixtures/passing.yaml', tests: '2', failures: '1', errors: '0' }])
  t.match(parsed.cases, [{ name: 'passes', kind: null }, { name: 'fails at its second step', kind: 'failure', message: 'http: 2 mismatches' }])
})

t.test('JUnit when the files are invalid (exit 2, nothing run): each problem a failure, by file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-junit-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const junit = join(dir, 'report.xml')
  const out = await run({ paths: [fixture('passing.yaml'), fixture('no-name-no-steps.yaml'), fixture('two-docs.yaml')], junit })
  t.equal(out.code, 2)
  t.same(out.results, [])
  const parsed = parseXml(await readFile(junit, 'utf8'))
  const file = (name: string): string => relative(process.cwd(), fixture(name))
  t.match(parsed.suites, [
    { name: file('no-name-no-steps.yaml'), tests: '2', failures: '2', errors: '0' },
    { name: file('two-docs.yaml'), tests: '2', failures: '2' }
  ])
  t.same(parsed.cases, [
    { name: `${file('no-name-no-steps.yaml')}:1:1`, kind: 'failure', message: 'missing "name"' },
    { name: `${file('no-name-no-steps.yaml')}:1:1`, kind: 'failure', message: 'missing "steps"' },
    { name: `${file('two-docs.yaml')}:5:1`, kind: 'failure', message: 'missing "steps"' },
    { name: `${file('two-docs.yaml')}:6:8`, kind: 'failure', message: 'item 1: "Bad Tag" must match ^[a-z0-9][a-z0-9_-]*$' }
  ])
  const untagged = join(dir, 'untagged.xml')
  t.equal((await run({ paths: [fixture('passing.yaml')], tags: ['nothing-has-this'], junit: untagged })).code, 2)
  t.match(parseXml(await readFile(untagged, 'utf8')).cases, [{ kind: 'failure', message: /^no scenario tagged nothing-has-this in / }])
})
