// A whole run: read and check the files, start or reach the services, run the scenarios, report.
// Exit codes: 0 all passed, 1 a scenario failed, 2 an invalid scenario file, 3 a runtime error.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { EXIT } from './exit.js'
import { loadScenarios } from './load.js'
import { runPool } from './pool.js'
import { junitProblemsXml, junitXml } from './reporters/junit.js'
import type { Reporter } from './reporters/reporter.js'
import { specReporter } from './reporters/spec.js'
import { tapReporter } from './reporters/tap.js'
import type { ServiceOptions } from './services.js'
import { RuntimeProblem, type ScenarioResult } from './types.js'

export { EXIT }

export interface RunOptions extends ServiceOptions {
  paths: string[]
  tags?: string[] | undefined
  seed?: number | undefined
  parallel?: number | undefined
  junit?: string | undefined
  reporter?: 'spec' | 'tap' | undefined
  vars?: Record<string, string> | undefined
  journalLines?: number | undefined
  stdout: (text: string) => void
  stderr: (text: string) => void
}

export interface RunOutcome { code: number, results: ScenarioResult[] }

export async function runScenarios (options: RunOptions): Promise<RunOutcome> {
  const vars = options.vars ?? {}
  const { scenarios, problems } = await loadScenarios(options.paths, Object.keys(vars))
  if (problems.length > 0) {
    for (const p of problems) options.stderr(`${p.file}:${p.line}:${p.column}: ${p.message}\n`)
    options.stderr(`\n${problems.length} problem${problems.length === 1 ? '' : 's'} in the scenario files; nothing was run\n`)
    await junit(options.junit, junitProblemsXml(problems))
    return { code: EXIT.invalid, results: [] }
  }
  const tags = options.tags ?? []
  const chosen = tags.length === 0 ? scenarios : scenarios.filter((s) => s.tags.some((t) => tags.includes(t)))
  if (chosen.length === 0) {
    const message = `no scenario${tags.length > 0 ? ` tagged ${tags.join(' or ')}` : ''} in ${options.paths.join(' ')}`
    options.stderr(`${message}\n`)
    await junit(options.junit, junitProblemsXml([{ file: options.paths.join(' '), line: 0, column: 0, message }]))
    return { code: EXIT.invalid, results: [] }
  }
  // The gateway, the shop and the steps load only now: a file with problems is told in a fraction of the time.
  const [{ startServices }, { runScenario }] = await Promise.all([import('./services.js'), import('./run-scenario.js')])
  let services
  try {
    services = await startServices(options)
  } catch (err) {
    options.stderr(`paylab scenarios: ${err instanceof RuntimeProblem ? '' : 'could not start: '}${(err as Error).message}\n`)
    return { code: EXIT.runtime, results: [] }
  }
  const seed = options.seed ?? 1
  const reporter: Reporter = options.reporter === 'tap' ? tapReporter(options.stdout) : specReporter(options.stdout)
  const where = services.ownsGateway ? `in-process gateway ${services.gatewayUrl} (virtual clock)` : `gateway ${services.gatewayUrl}`
  const shop = services.externalShop === undefined ? 'a reference shop per scenario' : `shop ${services.externalShop.url} (merchant ${services.externalShop.merchantId})`
  const started = performance.now()
  let results: ScenarioResult[]
  try {
    reporter.start(chosen.length, `paylab scenarios — seed ${seed}, ${where}, ${shop}`)
    const settings = { seed, vars, journalLines: options.journalLines ?? 12 }
    // Against an external shop every scenario shares its one merchant: one at a time.
    const parallel = services.externalShop === undefined ? options.parallel ?? 4 : 1
    results = await runPool(chosen, parallel, (s) => runScenario(services, s, settings), (r, i) => reporter.result(r, i))
  } finally {
    await services.close()
  }
  const ms = Math.round(performance.now() - started)
  reporter.end(results, ms)
  await junit(options.junit, junitXml(results, ms))
  const code = results.some((r) => r.outcome === 'error') ? EXIT.runtime : results.some((r) => r.outcome === 'failed') ? EXIT.failed : EXIT.passed
  return { code, results }
}

/** --junit: CI reads this file; an invalid set of files, which runs nothing, writes one too. */
async function junit (file: string | undefined, text: string): Promise<void> {
  if (file === undefined) return
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, text)
}
