// `npm test` runs the test files in a few test processes ("suites") rather than one process
// each. A test process costs ~3 s of CPU before its first test (node, tap, the TypeScript
// loader, the gateway's module graph); 80 of them were most of the suite's CPU on a 2-core
// machine. Every *.test.ts stays a file of its own that runs alone (`npx tap test/x.test.ts`);
// a suite imports its files one after the other, so their tests run in order, each with its
// own gateways and servers as before.
//
// Which suite runs a file is decided here, by its folder; a file no rule names runs in `rest`,
// so a new test file is never left out. The suites are test/suites/*.ts, named so that the
// longest start first (tap starts files in name order).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
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
 * The suites: a name and the files it runs, spread so that the test processes running at a time
 * keep both cores busy: the files that wait on child processes (the package, the CLI, the demo,
 * the docs' examples), the scenario runner's, the browser's and the reliability tests each on
 * their own, the channel profiles in two parts and the gateway's many files in four; `rest` has
 * the msw files and whatever no rule names.
 */
const RULES: Array<[string, (file: string, index: number) => boolean]> = [
  // npm pack, an install and three consumers: mostly waiting on npm and tsc processes.
  ['package', (f) => f.startsWith('test/package/')],
  ['cli', (f) => ['test/cli.test.ts', 'test/scenarios/reporters.test.ts'].includes(f)],
  ['processes', (f) => ['test/demo.test.ts', 'test/msw/examples.test.ts', 'test/scenarios/invalid.test.ts', 'test/start.test.ts', 'test/cli-startup.test.ts', 'test/log-format.test.ts'].includes(f)],
  ['scenarios', (f) => f.startsWith('test/scenarios/')],
  ['browser', (f) => f.startsWith('test/browser/')],
  ['reliability', (f) => f.startsWith('test/reliability/')],
  ['channels-1', (f, i) => f.startsWith('test/channels/') && i % 2 === 0],
  ['channels-2', (f, i) => f.startsWith('test/channels/') && i % 2 === 1],
  ['gateway-1', (f, i) => f.startsWith('test/gateway/') && i % 4 === 0],
  ['gateway-2', (f, i) => f.startsWith('test/gateway/') && i % 4 === 1],
  ['gateway-3', (f, i) => f.startsWith('test/gateway/') && i % 4 === 2],
  ['gateway-4', (f, i) => f.startsWith('test/gateway/') && i % 4 === 3],
  ['merchant-1', (f, i) => f.startsWith('test/merchant/') && i % 2 === 0],
  ['merchant-2', (f, i) => f.startsWith('test/merchant/') && i % 2 === 1]
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
 * Runs a suite's files in this process, one after the other. A file's time is the time of its
 * tests (they run one at a time) plus its import; it goes to .tap/file-times/ for `npm test`'s
 * list of the slowest files.
 */
export async function runSuite (name: string): Promise<void> {
  const files = assign().get(name)
  if (files === undefined) throw new Error(`no suite named ${name}; one of ${SUITES.join(', ')}`)
  const times = new Map<string, number>()
  const fileOf = new Map<unknown, string>()
  const started = new Map<unknown, number>()
  const add = (file: string | undefined, ms: number): void => { if (file !== undefined) times.set(file, (times.get(file) ?? 0) + ms) }
  let current: string | undefined
  t.on('subtestAdd', (sub: unknown) => { if (current !== undefined) fileOf.set(sub, current) })
  t.on('subtestStart', (sub: unknown) => { started.set(sub, performance.now()) })
  t.on('subtestEnd', (sub: unknown) => { add(fileOf.get(sub), performance.now() - (started.get(sub) ?? performance.now())) })
  process.once('exit', () => {
    const dir = join(ROOT, '.tap', 'file-times')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(Object.fromEntries(times)))
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
    const start = performance.now()
    await import(pathToFileURL(join(ROOT, file)).href)
    add(file, performance.now() - start)
  }
}
