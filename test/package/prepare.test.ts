// The build scripts npm runs on an install, in a production install's state: a scratch copy of the
// repository's package.json and scripts/build.js with node_modules holding the runtime dependency
// the script imports (yaml) and no TypeScript, as `npm ci --omit=dev` leaves it. The lifecycle
// scripts run as package.json spells them, with the event name npm gives them; the packed package
// is installed by npm with its scripts on.
import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, statfsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { uncoveredEnv, untracked } from '../helpers/child-env.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BUILT = 'export const built = true\n'
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }

function scratchRoot (): string {
  try {
    if (statfsSync('/dev/shm').bavail > 0) return '/dev/shm'
  } catch {}
  return tmpdir()
}

const work = await mkdtemp(join(scratchRoot(), 'paylab-prepare-'))
t.teardown(() => rm(work, { recursive: true, force: true }))
const repo = join(work, 'repo')
await mkdir(join(repo, 'node_modules'), { recursive: true })
await cp(join(ROOT, 'scripts/build.js'), join(repo, 'scripts/build.js'))
await cp(join(ROOT, 'bin/paylab.js'), join(repo, 'bin/paylab.js'))
await symlink(join(ROOT, 'node_modules/yaml'), join(repo, 'node_modules/yaml'))
// Its dependencies left out, so that the tarball installs offline: the scripts are what is tested.
await writeFile(join(repo, 'package.json'), JSON.stringify({ ...pkg, dependencies: undefined, devDependencies: undefined, overrides: undefined }))
const { NODE_PATH: _, ...env } = process.env // a NODE_PATH could find the repository's TypeScript

async function withDist (built: boolean): Promise<void> {
  await rm(join(repo, 'dist'), { recursive: true, force: true })
  if (built) {
    await mkdir(join(repo, 'dist/bin'), { recursive: true })
    await writeFile(join(repo, 'dist/bin/cli.js'), BUILT)
  }
}

/** package.json's `event` script as npm runs it (`node scripts/build.js ...`): exit code and stderr. */
async function lifecycle (t: Test, event: string): Promise<{ code: number, stderr: string }> {
  const [node, ...args] = (pkg.scripts[event] ?? '').split(' ')
  t.equal(node, 'node', `${event} runs node`)
  return await run(...untracked(process.execPath, args), { cwd: repo, env: uncoveredEnv({ ...env, npm_lifecycle_event: event }) }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (err: { code: number, stderr: string }) => ({ code: err.code, stderr: err.stderr }))
}

t.test('npm ci --omit=dev with dist/ built: prepare keeps that build and says so in one line', async (t) => {
  await withDist(true)
  const { code, stderr } = await lifecycle(t, 'prepare')
  t.equal(code, 0, 'the install goes on')
  t.match(stderr, /^paylab build: skipped: TypeScript \(a dev dependency\) is not installed; using dist\/ as already built\n$/)
  t.equal(await readFile(join(repo, 'dist/bin/cli.js'), 'utf8'), BUILT, 'dist/ untouched')
})

t.test('npm ci --omit=dev with no dist/: prepare fails, saying what to do, without a stack trace', async (t) => {
  await withDist(false)
  const { code, stderr } = await lifecycle(t, 'prepare')
  t.equal(code, 1)
  t.match(stderr, /^paylab build: TypeScript \(a dev dependency\) is not installed, so dist\/ cannot be built\./)
  t.match(stderr, /npm ci && npm run build.*npm prune --omit=dev/s)
  t.match(stderr, /npm ci --omit=dev --ignore-scripts/)
  t.notMatch(stderr, /^\s+at /m, 'no stack trace')
})

t.test('without TypeScript, an explicit build and a pack fail and leave dist/ as it is', async (t) => {
  for (const event of ['build', 'prepack']) {
    await withDist(true)
    const { code, stderr } = await lifecycle(t, event)
    t.equal(code, 1, `${event} fails: it cannot do what it was asked`)
    t.match(stderr, /cannot be rebuilt/, event)
    t.equal(await readFile(join(repo, 'dist/bin/cli.js'), 'utf8'), BUILT, `${event} did not clean dist/ first`)
  }
})

t.test('installing the packed package runs none of its scripts', async (t) => {
  // The tarball as npm pack makes it (package/ with the files package.json lists), made with tar:
  // npm pack costs ~0.8 s of CPU, and what ships is test/package/pack.test.ts's concern.
  await withDist(true)
  const packed = join(work, 'packed/package')
  await mkdir(packed, { recursive: true })
  for (const file of ['package.json', 'bin', 'dist']) await cp(join(repo, file), join(packed, file), { recursive: true })
  const tarball = join(work, 'paylab.tgz')
  await run('tar', ['-czf', tarball, '-C', join(work, 'packed'), 'package'])
  const consumer = join(work, 'consumer')
  await mkdir(consumer)
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }))
  // Scripts on and in the foreground: a prepare that ran would fail (scripts/ is not shipped).
  const installed = await run(...untracked('npm', ['install', '--offline', '--foreground-scripts', '--no-audit', '--no-fund', '--loglevel=error', tarball]), { cwd: consumer, env: uncoveredEnv(env) })
  t.notMatch(installed.stdout + installed.stderr, /paylab build|> node scripts\/build\.js/, 'no build ran')
  t.equal(await readFile(join(consumer, 'node_modules/paylab/dist/bin/cli.js'), 'utf8'), BUILT, 'the shipped dist/ as packed')
  t.ok(existsSync(join(consumer, 'node_modules/.bin/paylab')), 'installed, with its command')
})
