// `paylab scenarios run|validate [files or folders] [options]`.
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { relative } from 'node:path'
import { EXIT } from './runner/exit.js'

export const CATALOGUE = relative(process.cwd(), fileURLToPath(new URL('./catalogue', import.meta.url))) || '.'

export const SCENARIOS_USAGE = `Usage:
  paylab scenarios run [files or folders] [options]   run scenarios (default: the shipped catalogue)
  paylab scenarios validate [files or folders]        check scenario files without running them

Options of run:
  --gateway <url>         drive a running gateway (with --admin-token) instead of starting one
  --admin-token <token>   the admin token of --gateway
  --shop <url>            drive a running shop with the reference shop's JSON API (see docs/scenarios.md)
  --shop-merchant <id>    the merchant that --shop signs as
  --shop-secret <secret>  that merchant's HMAC secret
  --seed-secret <secret>  the /pay client's secret on --gateway (default your-api-key)
  --tags <a,b>            only scenarios with one of these tags
  --seed <n>              seed of faker data, retry jitter and rule probabilities (default 1)
  --parallel <n>          scenarios at a time (default 4; scenarios that move the clock run alone)
  --var <name=value>      a variable for every scenario (repeatable)
  --reporter <spec|tap>   output format (default spec)
  --junit <file>          also write JUnit XML there
  -h, --help              this text

Exit codes: 0 all passed, 1 a scenario failed, 2 an invalid scenario file, 3 a runtime error
(a service could not be reached).
`

/** Where the command writes: the process's stdout and stderr, or a test's capture. */
export interface CliOutput {
  stdout: { write: (text: string) => unknown }
  stderr: { write: (text: string) => unknown }
}

export async function runScenariosCli (argv: string[], io: CliOutput = process): Promise<number> {
  const usage = (message: string): number => {
    io.stderr.write(`paylab scenarios: ${message}\n\n${SCENARIOS_USAGE}`)
    return EXIT.invalid
  }
  const [sub, ...rest] = argv
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(SCENARIOS_USAGE)
    return sub === undefined ? EXIT.invalid : EXIT.passed
  }
  if (sub !== 'run' && sub !== 'validate') return usage(`unknown subcommand ${JSON.stringify(sub)}`)
  let parsed
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        gateway: { type: 'string' },
        'admin-token': { type: 'string' },
        shop: { type: 'string' },
        'shop-merchant': { type: 'string' },
        'shop-secret': { type: 'string' },
        'seed-secret': { type: 'string' },
        tags: { type: 'string' },
        seed: { type: 'string' },
        parallel: { type: 'string' },
        var: { type: 'string', multiple: true },
        reporter: { type: 'string' },
        junit: { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (err) {
    return usage((err as Error).message)
  }
  const { values: v, positionals } = parsed
  if (v.help === true) { io.stdout.write(SCENARIOS_USAGE); return EXIT.passed }
  const paths = positionals.length > 0 ? positionals : [CATALOGUE]
  const vars: Record<string, string> = {}
  for (const pair of v.var ?? []) {
    const eq = pair.indexOf('=')
    if (eq < 1) return usage(`--var takes name=value, not ${JSON.stringify(pair)}`)
    vars[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  if (sub === 'validate') {
    const { loadScenarios } = await import('./runner/load.js')
    const { scenarios, problems } = await loadScenarios(paths, Object.keys(vars))
    for (const p of problems) io.stderr.write(`${p.file}:${p.line}:${p.column}: ${p.message}\n`)
    if (problems.length > 0) return EXIT.invalid
    io.stdout.write(`${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'}, all valid\n`)
    return EXIT.passed
  }
  const seed = v.seed === undefined ? undefined : Number(v.seed)
  const parallel = v.parallel === undefined ? undefined : Number(v.parallel)
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) return usage('--seed must be a whole number ≥ 0')
  if (parallel !== undefined && !(Number.isInteger(parallel) && parallel >= 1 && parallel <= 64)) return usage('--parallel must be 1–64')
  if (v.reporter !== undefined && v.reporter !== 'spec' && v.reporter !== 'tap') return usage('--reporter must be spec or tap')
  const { runScenarios } = await import('./runner/run.js')
  const { code } = await runScenarios({
    paths,
    gatewayUrl: v.gateway,
    adminToken: v['admin-token'],
    shopUrl: v.shop,
    shopMerchant: v['shop-merchant'],
    shopSecret: v['shop-secret'],
    seedSecret: v['seed-secret'],
    tags: v.tags?.split(',').map((t) => t.trim()).filter(Boolean),
    seed,
    parallel,
    reporter: v.reporter,
    junit: v.junit,
    vars,
    stdout: (text) => io.stdout.write(text),
    stderr: (text) => io.stderr.write(text)
  })
  return code
}
