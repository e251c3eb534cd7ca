// WireMock as a peer: the standalone jar of the `wiremock` npm package (a devDependency), on the
// JVM, serving the same bytes the gateway answered, from two stubs: GET /v1/payments/{id} (200)
// and POST /v1/payments (201). It is what a team would otherwise load-test its checkout against:
// unsigned, stateless, multi-threaded. Skipped with one line when Java or the jar is missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { childEnv } from './processes.js'

export interface Canned { query: string, create: string }

export interface WireMock { pid: number, url: string, version: string, args: string[], stop: () => Promise<void> }

/**
 * How it runs: WireMock's own defaults for the threads (25 Jetty container threads; asynchronous
 * responses off, which only matter for stubs with a delay), without the request journal (it
 * would grow with every request), without logging each request, on loopback, on a free port.
 */
export const WIREMOCK_OPTIONS = ['--no-request-journal', '--disable-request-logging', '--disable-banner', '--container-threads', '25', '--async-response-enabled', 'false']

/** The jar, or why WireMock cannot run here. */
export async function findWireMock (): Promise<{ jar: string } | { skipped: string }> {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' })
  if (java.error !== undefined) return { skipped: 'WireMock skipped: java not found' }
  let dir: string
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('wiremock/package.json')), 'build')
  } catch {
    return { skipped: 'WireMock skipped: the wiremock package is not installed (npm ci installs it)' }
  }
  const jar = (await readdir(dir).catch(() => [])).find((f) => /^wiremock-standalone-.*\.jar$/.test(f))
  return jar === undefined ? { skipped: `WireMock skipped: no wiremock-standalone jar in ${dir}` } : { jar: join(dir, jar) }
}

const stub = (method: string, match: Record<string, string>, status: number, body: string): string =>
  JSON.stringify({ request: { method, ...match }, response: { status, headers: { 'Content-Type': 'application/json' }, body } })

export async function startWireMock (jar: string, root: string, canned: Canned): Promise<WireMock> {
  await mkdir(join(root, 'mappings'), { recursive: true })
  await writeFile(join(root, 'mappings', 'query.json'), stub('GET', { urlPathPattern: '/v1/payments/[^/]+' }, 200, canned.query))
  await writeFile(join(root, 'mappings', 'create.json'), stub('POST', { urlPath: '/v1/payments' }, 201, canned.create))
  const args = ['--port', '0', '--bind-address', '127.0.0.1', '--root-dir', root, ...WIREMOCK_OPTIONS]
  const child = spawn('java', ['-jar', jar, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    const { port, version } = await listening(child)
    return {
      pid: child.pid as number,
      url: `http://127.0.0.1:${port}`,
      version,
      args: ['java', '-jar', jar.replace(/^.*\//, ''), ...args.filter((a) => a !== root).map((a) => (a === '--root-dir' ? '--root-dir <stubs>' : a))],
      stop: async () => { if (child.exitCode === null) child.kill('SIGTERM'); await exited }
    }
  } catch (err) {
    if (child.exitCode === null) child.kill('SIGKILL')
    await exited
    throw err
  }
}

/** Waits for WireMock's start-up summary (it names the port it took); at most 120 s, the JVM starts slowly on a busy machine. */
function listening (child: ChildProcess): Promise<{ port: number, version: string }> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => { reject(new Error(`WireMock did not start within 120 s:\n${out}`)) }, 120_000)
    const read = (s: string): void => {
      out += s
      const port = /^port:\s+(\d+)/m.exec(out)?.[1]
      if (port === undefined) return
      clearTimeout(timer)
      resolve({ port: Number(port), version: /^version:\s+(\S+)/m.exec(out)?.[1] ?? '?' })
    }
    child.stdout?.setEncoding('utf8').on('data', read)
    child.stderr?.setEncoding('utf8').on('data', (s: string) => { out += s })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`WireMock exited (${String(code)}) before listening:\n${out}`)) })
  })
}
