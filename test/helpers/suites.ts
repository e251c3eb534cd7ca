// `npm test` runs the test files in a few test processes ("suites") rather than one process
// each. A test process costs ~3 s of CPU before its first test (node, tap, the TypeScript
// loader, the gateway's module graph); 80 of them were most of the suite's CPU on a 2-core
// machine. Every *.test.ts stays a file of its own that runs alone (`npx tap test/x.test.ts`);
// a suite imports its files one after the other, so their tests run in order, each with its
// own gateways and servers as before.
//
// Which suite runs a file is decided here, by its folder; a file no rule names runs in `rest`,
// so a new test file is never left out. The suites are test/suites/*.ts, named so that the
// longest start first (tap starts files in name order, 4 at a time: .taprc): a long suite that
// starts late is the run's tail, one core idle. By the wall time of each in a full run on 2 cores
// (2026-11-30): browser 61 s, gateway-1 55, package 47, scenarios 45, processes 43, cli 36,
// gateway-2 35, rest 33, merchant 27. On 2026-12-01 the package's files ran in the merchant suite
// for a morning, saving a process start (~3 s of CPU), but a suite's files run one after the
// other: the package (~40-60 s, waiting on npm and tsc), the scenarios (~50 s, waiting on shops'
// timeouts) and the SDK and shop files (~50 s) in one process made it 134 s long, the run's tail.
// They are three suites now, started first.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t from 'tap'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TEST_DIR = join(ROOT, 'test')

/** Every test file, relative to the project root, sorted. */
export function testFiles (dir = TEST_DIR): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...testFiles(path))
    else if (entry.name.endsWith('.test.ts')) out.push(relative(ROOT, path).split('\\').join('/'))
  }
  return out.sort()
}

/**
 * The suites: a name and the files it runs. Each test process costs ~3-4 s of CPU before its
 * first test (node, tap, the loader, the gateway's module graph), so there are few of them, yet
 * enough, four at a time, to keep both cores busy while some wait: the files that wait on child
 * processes (the package, the CLI, the demo, the docs' examples) and the browser's each on their
 * own; the reliability tests, which wait on a gateway process, timers and sockets, beside the
 * CLI's; the merchant side (the SDK and the reference shop), the scenario runner that drives it
 * (both mostly waiting on the shops' timeouts and retries) and the package as a consumer installs
 * it (waiting on npm and tsc), each on its own, started first; the gateway's many files in two; `rest` has the channel profiles, the msw files and whatever no
 * rule names.
 */
const RULES: Array<[string, (file: string, index: number) => boolean]> = [
  ['processes', (f) => ['test/demo.test.ts', 'test/msw/examples.test.ts', 'test/scenarios/invalid.test.ts', 'test/start.test.ts', 'test/cli-startup.test.ts', 'test/log-format.test.ts', 'test/bench/bench.test.ts'].includes(f)],
  ['cli', (f) => ['test/cli.test.ts', 'test/scenarios/reporters.test.ts'].includes(f) || f.startsWith('test/reliability/')],
  ['merchant', (f) => f.startsWith('test/merchant/')],
  ['scenarios', (f) => f.startsWith('test/scenarios/')],
  ['package', (f) => f.startsWith('test/package/')],
  ['browser', (f) => f.startsWith('test/browser/')],
  ['gateway-1', (f, i) => f.startsWith('test/gateway/') && i % 2 === 0],
  ['gateway-2', (f, i) => f.startsWith('test/gateway/') && i % 2 === 1]
]
export const SUITES = [...RULES.map(([name]) => name), 'rest']

/** The files of each suite. */
export function assign (files = testFiles()): Map<string, string[]> {
  const out = new Map<string, string[]>(SUITES.map((name) => [name, []]))
  files.forEach((file, index) => {
    // PostgreSQL's replica tests need a PostgreSQL server and half a minute: `npm run test:postgres`.
    if (file.startsWith('test/postgres/')) return
    const rule = RULES.find(([, matches]) => matches(file, index))
    out.get(rule === undefined ? 'rest' : rule[0])?.push(file)
  })
  return out
}

/**
 * CPU seconds used so far by this process and by the child processes it has waited for
 * (the gateways, npm, tsc and Chromium a test starts): on a 2-core machine the suite is bound by
 * CPU, not by waits, so CPU is the figure to compare. Linux's /proc; elsewhere this process only.
 */
export function cpuSeconds (): number {
  try {
    // Fields after the command's closing parenthesis: utime, stime, cutime, cstime are 12..15 there.
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ')
    return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) / 100
  } catch {
    const { user, system } = process.cpuUsage()
    return (user + system) / 1e6
  }
}

/**
 * Runs a suite's files in this process, one after the other. A file's time is the time of its
 * tests (they run one at a time) plus its import, wall and CPU (its child processes included);
 * it goes to .tap/file-times/ for `npm test`'s list of the slowest files, with the CPU of the
 * whole suite process.
 */
export async function runSuite (name: string): Promise<void> {
  const files = assign().get(name)
  if (files === undefined) throw new Error(`no suite named ${name}; one of ${SUITES.join(', ')}`)
  const times = new Map<string, { ms: number, cpu: number }>()
  const fileOf = new Map<unknown, string>()
  const started = new Map<unknown, { ms: number, cpu: number }>()
  const now = (): { ms: number, cpu: number } => ({ ms: performance.now(), cpu: cpuSeconds() })
  const add = (file: string | undefined, from: { ms: number, cpu: number } | undefined): void => {
    if (file === undefined || from === undefined) return
    const to = now()
    const sum = times.get(file) ?? { ms: 0, cpu: 0 }
    times.set(file, { ms: sum.ms + to.ms - from.ms, cpu: sum.cpu + to.cpu - from.cpu })
  }
  let current: string | undefined
  t.on('subtestAdd', (sub: unknown) => { if (current !== undefined) fileOf.set(sub, current) })
  t.on('subtestStart', (sub: unknown) => { started.set(sub, now()) })
  t.on('subtestEnd', (sub: unknown) => { add(fileOf.get(sub), started.get(sub)) })
  process.once('exit', () => {
    const dir = join(ROOT, '.tap', 'file-times')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ files: Object.fromEntries(times), cpu: cpuSeconds() }))
  })
  if (name === 'rest') {
    // A suite without its file in test/suites/ would leave its test files unrun.
    t.test('every suite has its file in test/suites/', async (t) => {
      const present = readdirSync(join(TEST_DIR, 'suites')).map((f) => f.replace(/^\d+-/, '').replace(/\.ts$/, '')).sort()
      t.same(present, [...SUITES].sort())
    })
  }
  for (const file of files) {
    current = file
    const start = now()
    await import(pathToFileURL(join(ROOT, file)).href)
    add(file, start)
  }
}
