// `npm start` stops when npm is told to stop: a SIGTERM or SIGINT sent to the npm process (a
// process manager, a CI step, `kill`) frees both ports and leaves no process behind. npm passes
// the signal on to its script, which execs node (package.json), so paylab receives it itself.
// With --memory it leaves nothing on disk either: the demo's WeChat Pay keys file goes with it.
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { uncoveredEnv, untracked } from './helpers/child-env.js'
import { signRequest } from './helpers/signer.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

async function refused (url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return await new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    socket.on('connect', () => { socket.destroy(); resolve(false) })
    socket.on('error', () => resolve(true))
  })
}

/** True while any process of the group is alive (npm, its shell, paylab). */
function groupAlive (pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

async function until (what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`still waiting after ${ms} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function stopNpmStart (t: Test, signal: NodeJS.Signals, publicUrl?: string): Promise<void> {
  // Its own process group, so that the signal reaches npm alone (as `kill <npm pid>` does) and
  // the teardown can remove whatever is left.
  const npm = spawn(...untracked('npm', ['start', '--', '--port', '0', '--shop-port', '0', '--memory', ...(publicUrl === undefined ? [] : ['--public-url', publicUrl])]), { cwd: ROOT, stdio: 'pipe', detached: true, env: uncoveredEnv() })
  const pgid = npm.pid as number
  t.teardown(() => { if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL') })
  npm.stdin.end()
  let out = ''
  npm.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
  npm.stderr.setEncoding('utf8').on('data', (s: string) => { out += s })
  const exited = new Promise<void>((resolve) => npm.on('exit', () => resolve()))
  await until('the banner', () => out.includes('Ctrl-C to stop.'), 60_000)
  const shop = /shop \(open this\):\s+(\S+)/.exec(out)?.[1] as string
  const gateway = /gateway:\s+(\S+)/.exec(out)?.[1] as string
  t.not(new URL(shop).port, '7500')
  t.not(new URL(gateway).port, '7400')
  t.equal((await fetch(`${shop}/`)).status, 200, 'the shop answers')
  t.equal(await refused(gateway), false, 'the gateway listens')
  // --memory keeps nothing on disk: the demo's WeChat Pay keys live in a private temp folder while it runs.
  const keys = /keys and certificate:\s+(\S+)/.exec(out)?.[1] as string
  t.equal(dirname(keys), join(tmpdir(), basename(dirname(keys))), 'the keys file is in the temp dir')
  t.equal(statSync(keys).mode & 0o777, 0o600, 'the keys file is the owner\'s alone')
  t.equal(statSync(dirname(keys)).mode & 0o777, 0o700, 'and so is its folder')
  if (publicUrl !== undefined) {
    // Buyers are sent to the cashier at the public URL (a phone scanning a QR code reaches it there).
    const secret = /HMAC secret:\s+(\S+)/.exec(out)?.[1] as string
    const body = { merchant_order_id: `start-${signal}`, amount: 1999, currency: 'USD', method: { type: 'wallet', wallet: { provider: 'alipay' } } }
    const { headers, payload } = signRequest({ merchant: 'demo', secret }, { method: 'POST', path: '/v1/payments', body })
    const created = await (await fetch(`${gateway}/v1/payments`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: payload })).json() as { next_action: { url: string } }
    t.match(created.next_action.url, new RegExp(`^${publicUrl}/cashier/pay_`), 'the cashier is at the public URL')
  }

  npm.kill(signal)
  await exited
  await until('the ports to be freed', async () => await refused(shop) && await refused(gateway))
  await until('every process to exit', () => !groupAlive(pgid))
  t.pass(`after ${signal} to npm, both ports are free and no process remains`)
  t.notOk(existsSync(dirname(keys)), `after ${signal}, the keys file and its folder are gone`)
}

// Three at once (each waits on npm and the servers' start, not on the CPU). SIGKILL cannot be
// passed on: paylab notices that npm has gone and stops by itself.
t.test('npm start: SIGTERM, SIGINT or SIGKILL to npm stops the gateway and the shop', async (t) => {
  await Promise.all((['SIGTERM', 'SIGINT', 'SIGKILL'] as const).map(async (signal) => { await stopNpmStart(t, signal, signal === 'SIGINT' ? 'http://paylab.test:7400' : undefined) }))
})
