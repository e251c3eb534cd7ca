// Starts bench/server.ts in a child process (through tsx) and speaks its IPC protocol.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { GatewayFacts, ParentMessage, ServerMessage } from './protocol.js'

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url))

type Ready = ServerMessage & { type: 'ready' }

export interface ServerProcess {
  ready: Ready
  pid: number
  url: string
  sample: (count: number) => Promise<string[]>
  /** Since the last call: the longest event-loop stall, time in GC, and the journal number. */
  stats: () => Promise<{ maxStallMs: number, gcMs: number, maxGcMs: number, journal: number }>
  /** RSS and heap in use, in bytes, after a full garbage collection. */
  memory: () => Promise<{ rss: number, heapUsed: number }>
  /** CPU seconds (user + system) the server process has used so far, to the µs (it starts no processes of its own). */
  cpu: () => Promise<number>
  /** Resolves, with the ms it waited, once the server has no work of its own under way (a store's compaction). */
  settle: () => Promise<number>
  stop: () => Promise<void>
}

/** Where the server processes write V8 CPU profiles (`npm run bench -- --cpu-prof DIR`), if anywhere. */
let profileDir: string | undefined
export const profileInto = (dir: string | undefined): void => { profileDir = dir }

/** The environment of every process the bench starts (a test turns tap's coverage off in it). */
export let childEnv: NodeJS.ProcessEnv = process.env
/** How the bench starts a command: [command, args] as given, or as a test wraps them (without tap's process tracking). */
export let childCommand = (command: string, args: string[]): [string, string[]] => [command, args]
export const setChildEnv = (env: NodeJS.ProcessEnv, command = childCommand): void => { childEnv = env; childCommand = command }

function spawn (args: string[]): ChildProcess {
  const profile = profileDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []
  // The child's stdout goes to this process's stderr: stdout is the report (or the --json document).
  const [execPath, execArgv] = childCommand(process.execPath, ['--import', import.meta.resolve('tsx'), '--expose-gc', ...profile])
  return fork(SERVER, args, { execPath, execArgv, stdio: ['ignore', 2, 'inherit', 'ipc'], env: childEnv })
}

function nextMessage<T extends ServerMessage['type']> (child: ChildProcess, type: T): Promise<ServerMessage & { type: T }> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ServerMessage): void => {
      if (message.type !== type) return
      cleanup()
      resolve(message as ServerMessage & { type: T })
    }
    const onExit = (code: number | null): void => { cleanup(); reject(new Error(`bench server exited (code ${code}) before "${type}"`)) }
    const cleanup = (): void => { child.off('message', onMessage); child.off('exit', onExit) }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

export async function startServer (args: string[]): Promise<ServerProcess> {
  const child = spawn(args)
  const ready = await nextMessage(child, 'ready')
  const send = (message: ParentMessage): void => { child.send(message) }
  const ask = async <T extends ServerMessage['type']>(message: ParentMessage, type: T): Promise<ServerMessage & { type: T }> => {
    const answer = nextMessage(child, type)
    send(message)
    return await answer
  }
  return {
    ready,
    pid: child.pid as number,
    url: `http://127.0.0.1:${ready.port}`,
    sample: async (count) => (await ask({ type: 'sample', count }, 'sample')).ids,
    stats: async () => {
      const { maxStallMs, gcMs, maxGcMs, journal } = await ask({ type: 'stats' }, 'stats')
      return { maxStallMs, gcMs, maxGcMs, journal }
    },
    cpu: async () => (await ask({ type: 'cpu' }, 'cpu')).seconds,
    settle: async () => (await ask({ type: 'settle' }, 'settled')).ms,
    memory: async () => {
      const { rss, heapUsed } = await ask({ type: 'memory' }, 'memory')
      return { rss, heapUsed }
    },
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) { resolve(); return }
      child.once('exit', () => resolve())
      send({ type: 'close' })
    })
  }
}

/** A gateway server and what its workloads sign with. */
export async function startGateway (dir: string, logLevel: string, rsaPublicKey: string, rsaOnEventLoop = false): Promise<ServerProcess & { facts: GatewayFacts }> {
  const server = await startServer(['gateway', dir, logLevel, rsaPublicKey, rsaOnEventLoop ? 'rsa-on-event-loop' : 'rsa-pool'])
  const facts = server.ready.gateway
  if (facts === undefined) {
    await server.stop()
    throw new Error('the gateway did not say its merchants')
  }
  return { ...server, facts }
}

/** Seeds data dirs (each [dir, payments]) in one child process; resolves when their stores are closed. */
export async function seedStores (stores: Array<[string, number]>): Promise<{ ms: number }> {
  const child = spawn(['seed', ...stores.flatMap(([dir, count]) => [dir, String(count)])])
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const seeded = await nextMessage(child, 'seeded')
  await exited
  return { ms: seeded.ms }
}
