// `npm ci` on the Node the README promises: no EBADENGINE. npm warns for every installed package
// whose engines.node excludes the running Node, so every package in the lockfile must accept the
// oldest Node 20 the README names (content-disposition 3 and cookie 2, which need Node 22, came
// in through @fastify/static and light-my-request; package.json's overrides keep them out).
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

// semver is npm's own range grammar; fastify depends on it, so every install has it.
const semver = createRequire(import.meta.url)('semver') as { satisfies: (version: string, range: string) => boolean }
const root = new URL('../', import.meta.url)
const lock = JSON.parse(await readFile(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { version?: string, engines?: { node?: string } | string[] }> }
const readme = await readFile(new URL('README.md', root), 'utf8')

t.test('every locked package accepts the oldest Node the README names', async (t) => {
  const floor = /^Node (\d+\.\d+) or later\.$/m.exec(readme)?.[1]
  t.equal(floor, '20.19', 'the quick start names Node 20.19')
  const refused = Object.entries(lock.packages).flatMap(([path, pkg]) => {
    const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node
    return range === undefined || semver.satisfies(`${String(floor)}.0`, range) ? [] : [`${path}@${String(pkg.version)} needs node ${range}`]
  })
  t.same(refused, [])
  t.ok(Object.keys(lock.packages).length > 100, 'the lockfile was read')
})

t.test('the install scripts npm does not run are not needed', async (t) => {
  // msw's postinstall only copies its browser worker into package.json's msw.workerDirectory.
  const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { msw?: unknown }
  t.equal(pkg.msw, undefined, 'no msw.workerDirectory: msw\'s postinstall has nothing to do')
  // esbuild's postinstall (tsx uses esbuild) only checks the platform binary, which npm installs
  // as an optional dependency; this install never ran it.
  const esbuild = createRequire(import.meta.url)('esbuild') as { transformSync: (code: string, options: { loader: string }) => { code: string } }
  t.equal(esbuild.transformSync('const x: number = 1', { loader: 'ts' }).code, 'const x = 1;\n', 'esbuild works')
  // @swc/core's (the test loader's transpiler) likewise: its binary is an optional dependency too.
  const swc = createRequire(import.meta.url)('@swc/core') as { transformSync: (code: string, options: { jsc: { parser: { syntax: string } } }) => { code: string } }
  t.match(swc.transformSync('const x: number = 1', { jsc: { parser: { syntax: 'typescript' } } }).code, /^var x = 1;/, '@swc/core works')
  t.match(readme, /install scripts of msw, esbuild and @swc\/core/)
})
