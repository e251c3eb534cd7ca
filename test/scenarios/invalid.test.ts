// An invalid scenario file runs nothing: exit 2, and every problem with its file, line and column.
import t from 'tap'
import { loadScenarios } from '../../scenarios/runner/load.js'
import { runScenariosCli } from '../../scenarios/cli.js'
import { runCli, type Exit } from '../helpers/cli.js'
import { CATALOGUE, fixture, run } from './helpers.js'

t.test('each problem is reported where it is', async (t) => {
  const { scenarios, problems } = await loadScenarios([fixture('invalid-steps.yaml'), fixture('broken-yaml.yaml'), fixture('two-docs.yaml')])
  const at = (p: { file: string, line: number, column: number }) => `${p.file.split('/').at(-1) as string}:${p.line}:${p.column}`
  t.same(problems.map((p) => [at(p), p.message.replace(/; one of .*/, '')]), [
    ['broken-yaml.yaml:4:3', 'Flow map in block collection must be sufficiently indented and end with a }'],
    ['invalid-steps.yaml:3:5', 'unknown field "shop.ordr" (did you mean "shop.order"?)'],
    ['invalid-steps.yaml:4:27', 'amount: "lots" is none of the allowed forms (must be a whole number; is not valid: a ${variable} alone)'],
    ['invalid-steps.yaml:6:25', '${ordr}: "ordr" is not defined before this point (did you mean "order"?)'],
    ['invalid-steps.yaml:6:58', 'within: "soon" is not valid: 1500ms, 30s, 15m, 1h30m, 2d, or a number of milliseconds'],
    ['invalid-steps.yaml:7:28', 'fault: unknown fault "respnse_lost"'],
    ['invalid-steps.yaml:8:5', 'one action per step, not gateway.clock and shop.get'],
    ['invalid-steps.yaml:10:32', 'replay: no earlier gateway.request was saved as "nothing"'],
    ['two-docs.yaml:5:1', 'missing "steps"'],
    ['two-docs.yaml:6:8', 'item 1: "Bad Tag" must match ^[a-z0-9][a-z0-9_-]*$']
  ])
  t.same(scenarios.map((s) => s.name), ['the first is fine'], 'a valid document beside an invalid one still loads')
})

t.test('a file missing both name and steps reports both', async (t) => {
  const { problems } = await loadScenarios([fixture('no-name-no-steps.yaml')])
  t.same(problems.map((p) => [p.line, p.column, p.message]), [[1, 1, 'missing "name"'], [1, 1, 'missing "steps"']])
})

t.test('matcher shapes are checked before anything runs', async (t) => {
  const { scenarios, problems } = await loadScenarios([fixture('bad-matchers.yaml')])
  t.same(scenarios, [])
  const ops = 'give the value itself or operators (eq, ne, gt, gte, lt, lte, in, match, contains, length, exists, type)'
  t.same(problems.map((p) => [`${p.line}:${p.column}`, p.message]), [
    ['5:47', `status holds a single value: "equals" is not an operator; ${ops}`],
    ['6:62', 'status holds a single value, which a list cannot match (for one of several values: {in: [a, b]})'],
    ['6:90', 'in: takes a list of values, not 1'],
    ['6:111', `amount holds a single value: "value" is not an operator; ${ops}`],
    ['8:24', `status holds a single value: "between" is not an operator; ${ops}`],
    ['8:55', 'match: Invalid regular expression: /(/: Unterminated group'],
    ['8:90', 'exists: takes true or false, not "yes"'],
    ['8:101', 'type: takes one of string, number, boolean, null, array, object, undefined, not "text"']
  ], 'amount: {gte: 1}, items: [{quantity: {lt: 2}}] and each: {status: {lte: 299}} are fine')
  const { problems: catalogue } = await loadScenarios([CATALOGUE])
  t.same(catalogue, [], 'the catalogue passes')
})

t.test('run refuses the whole set: exit 2, nothing run, problems on stderr', async (t) => {
  const out = await run({ paths: [fixture('passing.yaml'), fixture('invalid-steps.yaml')] })
  t.equal(out.code, 2)
  t.same(out.results, [])
  t.equal(out.stdout, '', 'no gateway was started, nothing reported')
  t.match(out.stderr, /invalid-steps\.yaml:3:5: unknown field "shop\.ordr"/)
  t.match(out.stderr, /7 problems in the scenario files; nothing was run/)
})

t.test('two scenarios with one name are refused, with both places', async (t) => {
  const { problems } = await loadScenarios([fixture('passing.yaml'), fixture('passing.yaml')])
  t.equal(problems.length, 2)
  t.match(problems[0]?.message, /another scenario is already named "passes" \(.*passing\.yaml:1\)/)
})

/** `paylab scenarios ARGS` in this process (the command's own function): its exit code and output. */
async function scenariosCli (args: string[]): Promise<Omit<Exit, 'signal'>> {
  let stdout = ''
  let stderr = ''
  const code = await runScenariosCli(args, { stdout: { write: (s: string) => { stdout += s } }, stderr: { write: (s: string) => { stderr += s } } })
  return { code, stdout, stderr }
}

// The first through `node bin/paylab.js` (the exit code and stderr of the process); the others
// call the same command in this process, without a process (~0.5 s of CPU) each.
t.test('the CLI: validate and run exit 2 with file:line:column, a missing path too', async (t) => {
  const validate = await runCli(['scenarios', 'validate', 'test/scenarios/fixtures/broken-yaml.yaml'])
  t.equal(validate.code, 2)
  t.match(validate.stderr, /^test\/scenarios\/fixtures\/broken-yaml\.yaml:4:3: /m)
  const ok = await scenariosCli(['validate', 'test/scenarios/fixtures/passing.yaml'])
  t.equal(ok.code, 0)
  t.equal(ok.stdout, '2 scenarios, all valid\n')
  const missing = await scenariosCli(['run', 'test/scenarios/fixtures/no-such-file.yaml'])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /no-such-file\.yaml.*ENOENT/)
  const usage = await scenariosCli(['run', '--parallel', '0'])
  t.equal(usage.code, 2)
  t.match(usage.stderr, /--parallel must be 1–64/)
})
