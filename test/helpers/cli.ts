// Runs `node bin/paylab.js ...` as a child process, the way a person starts the sandbox.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { uncoveredEnv, untracked } from './child-env.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = fileURLToPath(new URL('../../bin/paylab.js', import.meta.url))

/** Node arguments that make a started process list, as it exits, the packages it loaded (loadedPackages). */
export const LIST_LOADED_PACKAGES = ['--import', new URL('../fixtures/loaded-packages.mjs', import.meta.url).href]

/** The packages a process started with LIST_LOADED_PACKAGES loaded, from its stderr (throws when it did not say). */
export function loadedPackages (stderr: string): string[] {
  const line = /^loaded packages: (.*)$/m.exec(stderr)
  if (line?.[1] === undefined) throw new Error(`no list of loaded packages in:\n${stderr}`)
  return line[1].split(',').filter((name) => name !== '')
}

export interface Exit { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

export interface RunningGateway {
  child: ChildProcessWithoutNullStreams
  url: string
  adminToken: string
  demoSecret: string
  seedSecret: string
  /** Everything printed so far. */
  stdout: () => string
  /** Sends a signal and waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<Exit>
}

function collect (child: ChildProcessWithoutNullStreams): { out: () => string, err: () => string, exit: Promise<Exit> } {
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  const exit = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  return { out: () => stdout, err: () => stderr, exit }
}

/** Runs the CLI to its end (for --help and usage errors). */
export async function runCli (args: string[], cwd = ROOT): Promise<Exit> {
  const child = spawn(...untracked(process.execPath, [BIN, ...args]), { cwd, stdio: 'pipe', env: uncoveredEnv() })
  child.stdin.end()
  return await collect(child).exit
}

/**
 * `paylab ARGS` in this process: the main() that bin/paylab.js runs, its exit code and what it
 * printed. For help and usage errors, which return before anything starts: a process costs ~0.12 s
 * of CPU each, and one spawned run of each kind (runCli) already shows that bin/paylab.js exits
 * with what main() returns.
 */
export async function runCliHere (args: string[]): Promise<Omit<Exit, 'signal'>> {
  const { main } = await import('../../bin/cli.js')
  return await captureOutput(async () => await main(args))
}

/** Runs `run` in this process with what it writes to stdout and stderr captured. */
export async function captureOutput (run: () => Promise<number>): Promise<{ code: number, stdout: string, stderr: string }> {
  let stdout = ''
  let stderr = ''
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string) => { stdout += chunk; return true })
  process.stderr.write = ((chunk: string) => { stderr += chunk; return true })
  try {
    return { code: await run(), stdout, stderr }
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
}

/**
 * Starts `paylab gateway` and waits until its banner is complete; kills it when the test ends.
 * `nodeArgs` go to node before the script (an --import of test/fixtures/loaded-packages.mjs).
 */
export async function startGateway (t: Test, args: string[], cwd = ROOT, nodeArgs: string[] = []): Promise<RunningGateway> {
  const child = spawn(...untracked(process.execPath, [...nodeArgs, BIN, 'gateway', ...args]), { cwd, stdio: 'pipe', env: uncoveredEnv() })
  child.stdin.end()
  const { out, err, exit } = collect(child)
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 30 s:\n${out()}\n${err()}`)), 30_000)
    const check = (): void => {
      if (/\/pay client:.*\n/.test(out())) { clearTimeout(timer); resolve(out()) }
    }
    child.stdout.on('data', check)
    void exit.then((e) => { clearTimeout(timer); reject(new Error(`exited ${String(e.code)} before its banner:\n${e.stdout}\n${e.stderr}`)) })
  })
  const field = (re: RegExp): string => {
    const m = re.exec(banner)
    if (m?.[1] === undefined) throw new Error(`banner lacks ${String(re)}:\n${banner}`)
    return m[1]
  }
  return {
    child,
    url: field(/listening on (http:\/\/\S+)/),
    adminToken: field(/admin token:\s+(\S+)/),
    demoSecret: field(/HMAC secret:\s+(\S+)/),
    seedSecret: field(/\/pay client:.*secret (\S+)/),
    stdout: out,
    stop: async (signal = 'SIGTERM') => { child.kill(signal); return await exit }
  }
}
