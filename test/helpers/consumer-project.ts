// A scratch consumer project's package.json and package-lock.json, taken from the repository's
// own lock: the packages that the consumer's dependencies reach, where the repository's lock puts
// them, plus the packed tarball. With a lock `npm ci` resolves nothing; with each package's
// tarball URL and integrity it takes the tarball from npm's cache without reading a packument
// (npm ci on the repository filled that cache). Measured on the package's install (212 packages):
// ~5.5 s of CPU against ~9 s for `npm install --prefer-offline` of the same specs, which
// resolved every range anew. The consumer so installs the versions the repository tests with.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

interface LockEntry {
  version?: string
  resolved?: string
  integrity?: string
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
  [key: string]: unknown
}

interface Manifest {
  name: string
  version: string
  license?: string
  bin?: Record<string, string>
  engines?: Record<string, string>
  dependencies?: Record<string, string>
  overrides?: Record<string, string>
}

/** Where node would find `name` from the package at lock path `from` ('' is the root). */
function locate (packages: Map<string, LockEntry>, from: string, name: string): string {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const path = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`
    if (packages.has(path)) return path
    if (dir === '') throw new Error(`the repository's package-lock.json has no ${name} for ${from === '' ? 'the root' : from}`)
  }
}

/** The registry's tarball URL of a locked package (npm writes it to the host it is configured with). */
function tarballUrl (path: string, version: string): string {
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
  return `https://registry.npmjs.org/${name}/-/${name.slice(name.lastIndexOf('/') + 1)}-${version}.tgz`
}

/**
 * The consumer's package.json (its `dependencies` and the repository's overrides, under which the
 * repository's lock was resolved) and its lock, with the tarball at `tarball` (relative to the
 * project, as npm writes a file: spec) installed as the repository's package.
 */
export async function consumerProject (root: string, project: string, tarball: string, dependencies: Record<string, string>): Promise<{ manifest: object, lock: object }> {
  const repo = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Manifest
  const locked = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }
  const packages = new Map(Object.entries(locked.packages))
  const spec = `file:${tarball}`
  const deps = { [repo.name]: spec, ...dependencies }
  const out: Record<string, LockEntry> = {
    '': { name: 'paylab-consumer', dependencies: deps },
    [`node_modules/${repo.name}`]: {
      version: repo.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(await readFile(join(project, tarball))).digest('base64')}`,
      license: repo.license,
      dependencies: repo.dependencies,
      bin: repo.bin,
      engines: repo.engines
    }
  }
  const queue: string[] = []
  const reach = (from: string, names: string[]): void => {
    for (const name of names) {
      const path = locate(packages, from, name)
      if (Object.hasOwn(out, path)) continue
      const { dev: _, devOptional: __, ...entry } = packages.get(path) as LockEntry
      out[path] = { ...entry, resolved: entry.resolved ?? tarballUrl(path, entry.version ?? '') }
      queue.push(path)
    }
  }
  reach('', [...Object.keys(repo.dependencies ?? {}), ...Object.keys(dependencies)])
  for (let path = queue.pop(); path !== undefined; path = queue.pop()) {
    const entry = out[path] as LockEntry
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((name) => entry.peerDependenciesMeta?.[name]?.optional !== true)
    reach(path, [...Object.keys(entry.dependencies ?? {}), ...peers])
    // An optional dependency the repository's install skipped (another platform's) is not in its lock.
    reach(path, Object.keys(entry.optionalDependencies ?? {}).filter((name) => {
      try { locate(packages, path, name); return true } catch { return false }
    }))
  }
  return {
    manifest: { name: 'paylab-consumer', private: true, type: 'module', dependencies: deps, overrides: repo.overrides },
    lock: { name: 'paylab-consumer', lockfileVersion: 3, requires: true, packages: out }
  }
}
