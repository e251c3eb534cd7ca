// `npm run bench` options.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

export const USAGE = `usage: npm run bench -- [options]
  -d, --duration <s>      seconds per measurement (default 10)
  -c, --connections <n>   concurrent connections (default 64)
  --payments <n>          payments in the large store (default 100000)
  --rounds <n>            measure everything n times, interleaved; report medians (default 1)
  --warmup <s>            unrecorded load on each server before measuring (default 2; WireMock gets spans of 3x
                          until its JIT is warm)
  --skip <list>           leave out, comma-separated: wiremock, startup, large (the seeded store and its gateway),
                          postgres (the PostgreSQL store, one replica and two: npm run bench:postgres),
                          before (the gateway with RSA on the event loop that target 3 compares card creates with)
  --quiet <s>             before each measurement, wait up to s seconds for the bench's servers to go idle
                          (a JVM compiles for seconds after a load; default 5, 0 to not wait)
  --log-level <level>     the measured gateways' log level, or off (default warn, as \`paylab gateway --log-level warn\`)
  --json                  print one JSON document of every figure on stdout (the tables go to stderr)
  --baseline <file>       an earlier --json output: compare with it, and take its card creates/s as target 3's "before"
  --keep                  keep the temporary data dirs
  --cpu-prof <dir>        write a V8 CPU profile of each server process into dir
  --spawns <n>            spawns per start-up figure (default 5)
  --startup-only          measure the start-up figures only
  --rsa-on-event-loop     the gateways sign and unwrap RSA on the event loop, as before issue 17 (no worker
                          pool): a --json run of it is target 3's like-for-like "before" for --baseline
`

const SKIPPABLE = ['wiremock', 'startup', 'large', 'postgres', 'before']

export type Options = ReturnType<typeof parseOptions>

export function parseOptions (argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', short: 'd', default: '10' },
      connections: { type: 'string', short: 'c', default: '64' },
      payments: { type: 'string', default: '100000' },
      rounds: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '2' },
      quiet: { type: 'string', default: '5' },
      skip: { type: 'string', default: '' },
      'log-level': { type: 'string', default: 'warn' },
      json: { type: 'boolean', default: false },
      baseline: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      spawns: { type: 'string', default: '5' },
      'startup-only': { type: 'boolean', default: false },
      'rsa-on-event-loop': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  const n = { duration: Number(values.duration), connections: Number(values.connections), payments: Number(values.payments), rounds: Number(values.rounds), warmup: Number(values.warmup), spawns: Number(values.spawns), quiet: Number(values.quiet) }
  const whole = [n.connections, n.payments, n.rounds, n.spawns].every((v) => Number.isInteger(v) && v >= 1)
  if (!whole || !(n.duration > 0) || !(n.warmup > 0)) throw new Error('every option takes a positive number (whole for connections, payments, rounds, spawns)')
  if (!(n.quiet >= 0)) throw new Error('--quiet takes a number of seconds, 0 or more')
  const skip = values.skip.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = skip.filter((s) => !SKIPPABLE.includes(s))
  if (unknown.length > 0) throw new Error(`--skip takes ${SKIPPABLE.join(', ')}, not ${unknown.join(', ')}`)
  const level = values['log-level']
  if (!['off', 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) throw new Error(`--log-level must be a pino level or off, not ${level}`)
  let baseline: unknown
  if (values.baseline !== undefined) {
    try {
      baseline = JSON.parse(readFileSync(values.baseline, 'utf8'))
    } catch (err) {
      throw new Error(`--baseline ${values.baseline}: ${(err as Error).message}`)
    }
  }
  return { ...n, skip: new Set(skip), logLevel: level, json: values.json, baseline, keep: values.keep, cpuProf: values['cpu-prof'], startupOnly: values['startup-only'], rsaOnEventLoop: values['rsa-on-event-loop'], help: values.help }
}
