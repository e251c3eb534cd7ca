#!/usr/bin/env node
// `npm run build` (also `prepare` and `prepack`): compiles the sources to dist/ with tsc, copies the
// files the code reads at run time beside the compiled modules (the same relative paths as in the
// sources), and removes compiled files whose source is gone, so an incremental build ships no stale
// module. `--clean` starts from an empty dist/.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')
const ASSETS = ['openapi.yaml', 'gateway/cashier/card-form.js', 'gateway/dashboard/dashboard.js', 'gateway/dashboard/dashboard.css', 'docs/failures.md', 'scenarios/catalogue', 'scenarios/scenario.schema.json']

const tsc = compiler()
if (process.argv.includes('--clean')) rmSync(dist, { recursive: true, force: true })
try {
  // Build mode: when nothing changed since the last build, it knows so in a fraction of a second.
  execFileSync(process.execPath, [tsc, '-b', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
} catch {
  process.stderr.write('paylab build: tsc failed (above)\n')
  process.exit(1)
}
for (const asset of ASSETS) {
  rmSync(join(dist, asset), { recursive: true, force: true }) // a file removed from the catalogue goes from dist/ too
  cpSync(join(root, asset), join(dist, asset), { recursive: true })
}
// The gateway reads its API document as JSON when it finds one (gateway/openapi/document.ts).
const json = join(dist, 'openapi.json')
if (!existsSync(json) || statSync(json).mtimeMs < statSync(join(root, 'openapi.yaml')).mtimeMs) {
  writeFileSync(json, JSON.stringify(parse(readFileSync(join(root, 'openapi.yaml'), 'utf8'))))
}
for (const file of walk(dist)) {
  const rel = relative(dist, file)
  const source = rel.replace(/\.(js|d\.ts)(\.map)?$/, '.ts')
  if (source !== rel && !existsSync(join(root, source)) && !ASSETS.some((a) => rel === a || rel.startsWith(`${a}/`))) rmSync(file)
}

/**
 * tsc's path. TypeScript is a dev dependency: a production install of the repository
 * (`npm ci --omit=dev`, as a Docker image does) still runs `prepare`, without it. With dist/ built
 * already (copied in, or built before a prune) `prepare` keeps that build and says so; with none,
 * or for an explicit `npm run build` / `npm pack`, it stops with what to do instead of a stack.
 * An installed tarball never gets here: npm runs `prepare` only for a clone or a git dependency
 * (whose install includes the dev dependencies), and scripts/ is not in the tarball.
 */
function compiler () {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc')
  } catch (err) {
    if (err?.code !== 'MODULE_NOT_FOUND') throw err
  }
  const built = existsSync(join(dist, 'bin/cli.js'))
  if (built && process.env.npm_lifecycle_event === 'prepare' && !process.argv.includes('--clean')) {
    process.stderr.write('paylab build: skipped: TypeScript (a dev dependency) is not installed; using dist/ as already built\n')
    process.exit(0)
  }
  process.stderr.write(`paylab build: TypeScript (a dev dependency) is not installed, so dist/ cannot be ${built ? 'rebuilt' : 'built'}.
  Build with the dev dependencies first (npm ci && npm run build), then drop them (npm prune --omit=dev),
  or install the packed package (npm pack), which carries dist/; if dist/ is copied in after the install,
  install with npm ci --omit=dev --ignore-scripts.
`)
  process.exit(1)
}

function * walk (dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield * walk(path)
    else if (entry.name !== '.tsbuildinfo') yield path
  }
}
