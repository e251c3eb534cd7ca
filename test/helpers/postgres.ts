// A real PostgreSQL for the tests of the PostgreSQL store: Debian's server binaries, a cluster
// made with initdb in a temporary folder, listening on a free port of 127.0.0.1, stopped and
// removed at the end. No mock of the database. PostgreSQL refuses to run as root, so as root the
// server runs as the `postgres` user (runuser), which owns the folder.
import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface Postgres {
  /** postgres://… of the cluster's `postgres` database. */
  url: string
  /** The cluster's folder (its server's pid is the first line of postmaster.pid). */
  dataDir: string
  /** A URL whose connections use their own, new schema: a fresh, empty store for one gateway. */
  freshSchemaUrl: () => string
  stop: () => Promise<void>
}

/** The folder of the newest installed server binaries, or undefined. */
export function postgresBin (): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin')
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

let schemaNo = 0

/** `url` with a search_path of a new schema: the store makes it, and a fresh store for one gateway. */
export function freshSchemaUrl (url: string): string {
  const u = new URL(url)
  u.searchParams.set('options', `-c search_path=t${process.pid}_${++schemaNo}`)
  return u.toString()
}

export async function startPostgres (): Promise<Postgres> {
  const bin = postgresBin()
  if (bin === undefined) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)')
  const dir = await mkdtemp(join(tmpdir(), 'paylab-pg-'))
  const asRoot = process.getuid?.() === 0
  const user = asRoot ? 'postgres' : (process.env.USER ?? 'postgres')
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: gid } = await run('id', ['-g', 'postgres'])
    await chown(dir, Number(stdout.trim()), Number(gid.trim()))
  }
  const as = (cmd: string, args: string[]) => asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args)
  const data = join(dir, 'data')
  await as('initdb', ['-D', data, '-U', user, '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'])
  const port = await freePort()
  // fsync off: a test cluster is thrown away; the store's own guarantees do not rest on it here.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`
  await as('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', 'start'])
  const url = `postgres://${user}@127.0.0.1:${port}/postgres`
  let stopped = false
  return {
    url,
    dataDir: data,
    freshSchemaUrl: () => freshSchemaUrl(url),
    stop: async () => {
      if (stopped) return
      stopped = true
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {})
      await rm(dir, { recursive: true, force: true })
    }
  }
}
