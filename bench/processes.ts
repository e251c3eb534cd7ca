// Starts bench/server.ts in a child process (through tsx) and speaks its IPC protocol.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ParentMessage, ServerMessage } from './server.js'

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url))

type Ready = ServerMessage & { type: 'ready' }

export interface ServerProcess {
  ready: Ready
  pid: number
  url: string
  sample: (count: number) => Promise<string[]>
  /** Since the last call: the longest event-loop stall, time in GC, and the journal number. */
  stats: () => Promise<{ maxStallMs: number, gcMs: number, journal: number }>
  stop: () => Promise<void>
}

/** Where the server processes write V8 CPU profiles (`npm run bench -- --cpu-prof DIR`), if anywhere. */
let profileDir: string | undefined
export const profileInto = (dir: string | undefined): void => { profileDir = dir }

function spawn (args: string[]): ChildProcess {
  const profile = profileDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []
  return fork(SERVER, args, { execArgv: ['--import', import.meta.resolve('tsx'), ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
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
  return {
    ready,
    pid: child.pid as number,
    url: `http://127.0.0.1:${ready.port}`,
    sample: async (count) => {
      const answer = nextMessage(child, 'sample')
      send({ type: 'sample', count })
      return (await answer).ids
    },
    stats: async () => {
      const answer = nextMessage(child, 'stats')
      send({ type: 'stats' })
      const { maxStallMs, gcMs, journal } = await answer
      return { maxStallMs, gcMs, journal }
    },
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) { resolve(); return }
      child.once('exit', () => resolve())
      send({ type: 'close' })
    })
  }
}

/** Seeds a data dir in a child process; resolves when its store is closed. */
export async function seedStore (dir: string, count: number): Promise<{ count: number, ms: number }> {
  const child = spawn(['seed', dir, String(count)])
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const seeded = await nextMessage(child, 'seeded')
  await exited
  return seeded
}
