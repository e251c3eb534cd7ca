// `npm test`: tap on a clean slate, then what tap's own output leaves unsaid.
// - Coverage is measured afresh: what earlier runs left in .tap/ never mixes into this one.
// - The slowest files and the time of each test process, wall and CPU (the suite is bound by CPU
//   on 2 cores), so that the next regression is visible; PAYLAB_TEST_TIMES=all lists every file.
// - A missed coverage threshold is named (tap's text report only sets the exit code).
// Arguments go to tap: `npm test -- test/gateway/pay.test.ts`.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TAP_DIR = join(ROOT, '.tap')
const SLOWEST = 10
const args = process.argv.slice(2)

// --changed and --save select files from what earlier runs left; everything else starts clean.
if (!args.some((a) => a === '--changed' || a === '-n' || a.startsWith('--save'))) {
  for (const dir of ['processinfo', 'coverage', 'report', 'test-results', 'file-times']) rmSync(join(TAP_DIR, dir), { recursive: true, force: true })
}

const started = Date.now()
const tap = spawn(process.execPath, [join(ROOT, 'node_modules', 'tap', 'dist', 'esm', 'run.mjs'), ...args], { cwd: ROOT, stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => tap.kill(signal))
tap.on('close', (code, signal) => {
  const wall = (Date.now() - started) / 1000
  try {
    printSlowest()
    printCoverageVerdict()
  } catch (error) {
    console.log(`# (test/run.mjs could not summarise the run: ${error.message})`)
  }
  console.log(`# wall time ${wall.toFixed(1)} s`)
  process.exitCode = code ?? (signal === null ? 1 : 128)
})

/**
 * The slowest test files, wall time: from the suites' own timing of each file they ran
 * (.tap/file-times/), and for a test process that ran a file on its own, from tap's record of
 * the process (start to exit, loader included). Then the suites' processes themselves.
 */
function printSlowest () {
  const files = []
  const processes = []
  const timesDir = join(TAP_DIR, 'file-times')
  const suiteCpu = new Map()
  if (existsSync(timesDir)) {
    for (const name of readdirSync(timesDir)) {
      const record = JSON.parse(readFileSync(join(timesDir, name), 'utf8'))
      for (const [file, { ms, cpu }] of Object.entries(record.files)) files.push({ file, ms, cpu })
      suiteCpu.set(`test/suites/${name.replace(/\.json$/, '')}`, record.cpu)
    }
  }
  const infoDir = join(TAP_DIR, 'processinfo')
  if (existsSync(infoDir)) {
    for (const name of readdirSync(infoDir)) {
      const info = JSON.parse(readFileSync(join(infoDir, name), 'utf8'))
      if (typeof info.externalID !== 'string' || typeof info.runtime !== 'number') continue
      if (info.externalID.startsWith('test/suites/')) processes.push({ file: info.externalID, ms: info.runtime, cpu: suiteCpu.get(info.externalID.replace(/^(test\/suites\/)\d+-(.*)\.ts$/, '$1$2')) })
      else files.push({ file: info.externalID, ms: info.runtime })
    }
  }
  const list = (title, runs, count) => {
    if (runs.length === 0) return
    runs.sort((a, b) => b.ms - a.ms)
    console.log(`# ${title}:`)
    for (const { file, ms, cpu } of runs.slice(0, count)) {
      console.log(`#   ${(ms / 1000).toFixed(1).padStart(6)} s${typeof cpu === 'number' ? ` ${cpu.toFixed(1).padStart(6)} s CPU` : ''}  ${file}`)
    }
  }
  list(`slowest ${Math.min(SLOWEST, files.length)} of ${files.length} test files (wall time; CPU with the processes they start)`, files, SLOWEST)
  list(`the ${processes.length} suites (wall time of each test process; CPU with its child processes)`, processes, processes.length)
  const total = processes.reduce((sum, { cpu }) => sum + (cpu ?? 0), 0)
  if (total > 0) console.log(`# CPU of the suites: ${total.toFixed(1)} s (the build before and tap's own process not included)`)
  if (process.env.PAYLAB_TEST_TIMES !== undefined) {
    // Every file, for comparing runs: PAYLAB_TEST_TIMES=all npm test
    list('every test file', files, files.length)
  }
}

/** Compares tap's coverage summary with the thresholds of .taprc and names any that is missed. */
function printCoverageVerdict () {
  const summaryFile = join(TAP_DIR, 'report', 'coverage-summary.json')
  if (!existsSync(summaryFile)) return
  const total = JSON.parse(readFileSync(summaryFile, 'utf8')).total
  const config = parse(readFileSync(join(ROOT, '.taprc'), 'utf8')) ?? {}
  const missed = ['statements', 'branches', 'functions', 'lines']
    .filter((k) => typeof config[k] === 'number' && total[k].pct < config[k])
    .map((k) => `${k} ${total[k].pct} % (threshold ${config[k]} %)`)
  if (missed.length === 0) return
  const subset = args.some((a) => !a.startsWith('-'))
  console.log(`# COVERAGE BELOW THE THRESHOLDS OF ${relative(process.cwd(), join(ROOT, '.taprc')) || '.taprc'}: ${missed.join(', ')}.`)
  if (subset) console.log('# A subset of the test files cannot reach them: add --allow-incomplete-coverage (see the README, "Running tests").')
  else console.log('# Below a threshold tap exits 1, even when every test passed.')
}
