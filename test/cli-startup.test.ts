// `paylab gateway` as an operator starts it: the connection limits are set from the command line,
// --memory writes nothing and loads nothing of PostgreSQL, --seed-secret signs /pay,
// and a data dir it cannot use ends the start with one clear line and exit code 1 (bin/paylab.js
// exits with what runGateway returns).
import t from 'tap'
import { connect, type Socket } from 'node:net'
import { createHmac } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { captureOutput, LIST_LOADED_PACKAGES, loadedPackages, startGateway } from './helpers/cli.js'
import { CHANNEL_NAMES, GATEWAY_USAGE, runGateway } from '../gateway/cli.js'
import { CHANNEL_PROFILES } from '../gateway/channels/index.js'

/** Runs `paylab gateway ARGS` in this process up to where it returns without serving (a refusal). */
async function refusedRun (args: string[]): Promise<{ code: number, stderr: string, stdout: string }> {
  return await captureOutput(async () => await runGateway(args))
}

const dir = await mkdtemp(join(tmpdir(), 'paylab-cli-startup-'))
t.teardown(async () => { await chmod(join(dir, 'read-only'), 0o700).catch(() => {}); await rm(dir, { recursive: true, force: true }) })

/** Opens a connection that sends half a header block and waits; resolves with what came back once it closes. */
function stalled (port: number): Promise<{ socket: Socket, answer: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' })
    let received = ''
    socket.setEncoding('utf8').on('data', (s: string) => { received += s })
    socket.on('error', () => {})
    const answer = new Promise<string>((done) => socket.on('close', () => done(received)))
    socket.once('connect', () => { socket.write('POST /pay HTTP/1.1\r\nHost: x\r\n'); resolve({ socket, answer }) })
    socket.once('error', reject)
  })
}

t.test('bad limit flags are usage errors', async (t) => {
  const runs = [
    await refusedRun(['--headers-timeout', 'soon']),
    await refusedRun(['--max-connections', '0']),
    await refusedRun(['--headers-timeout', '40', '--request-timeout', '30']),
    await refusedRun(['--rsa-workers', '0']),
    await refusedRun(['--rsa-workers', 'two'])
  ]
  for (const run of runs) t.equal(run.code, 2, run.stderr)
  t.match(runs[0]?.stderr, /--headers-timeout must be a number of seconds/)
  t.match(runs[1]?.stderr, /--max-connections must be a whole number/)
  t.match(runs[2]?.stderr, /--headers-timeout must not be longer than the --request-timeout/)
  for (const run of runs.slice(3)) t.match(run.stderr, /--rsa-workers must be a whole number from 1 to 256/)
  for (const flag of ['--headers-timeout', '--request-timeout', '--keep-alive-timeout', '--max-connections', '--rsa-workers']) t.match(GATEWAY_USAGE, flag)
})

// test/cli.test.ts starts a gateway with --channels and --no-dashboard and restarts it without them.
t.test('--channels names known channel profiles, paylab among them', async (t) => {
  t.same(CHANNEL_NAMES, CHANNEL_PROFILES.map((p) => p.name), 'the usage names the channel profiles there are')
  t.match(GATEWAY_USAGE, /--channels <names> .*\n.*default: all of paylab,wechatpay,stripe,alipay/)
  t.match(GATEWAY_USAGE, /--no-dashboard/)
  const unknown = await refusedRun(['--channels', 'paylab,nope'])
  t.equal(unknown.code, 2, unknown.stderr)
  t.match(unknown.stderr, /--channels: no channel named nope; one of paylab, wechatpay, stripe, alipay/)
  const withoutPaylab = await refusedRun(['--channels', 'stripe'])
  t.equal(withoutPaylab.code, 2, withoutPaylab.stderr)
  t.match(withoutPaylab.stderr, /--channels must include paylab/)
})

/** A /pay request as the source document's client sends it, signed with `secret`. */
function payRequest (orderId: string, secret: string): RequestInit {
  const body = JSON.stringify({ user_id: 'u', order_id: orderId, amount: 100.0, currency: 'USD' })
  return { method: 'POST', body, headers: { 'content-type': 'application/json', signature: createHmac('sha256', secret).update(body).digest('hex') } }
}

// One gateway process for all (each start costs ~0.8 s of CPU): the limits, --memory with
// --seed-secret, and the JSON log lines of a piped gateway.
t.test('--headers-timeout, --request-timeout and --max-connections reach the server; --memory leaves no files behind; --seed-secret signs /pay; piped, it logs JSON lines', async (t) => {
  const cwd = join(dir, 'memory-cwd')
  await mkdir(cwd)
  const gw = await startGateway(t, ['--port', '0', '--memory', '--data-dir', join(cwd, 'state'), '--seed-secret', 'cli-seed-secret', '--headers-timeout', '0.4', '--request-timeout', '0.6', '--max-connections', '3', '--rsa-workers', '1'], cwd, LIST_LOADED_PACKAGES)
  t.match(gw.stdout(), /store:\s+in memory/)
  t.match(gw.stdout(), /RSA workers:\s+1 \(/, 'the banner says how many RSA workers it runs')
  t.equal(gw.seedSecret, 'cli-seed-secret')
  const port = Number(new URL(gw.url).port)
  const held = await Promise.all([stalled(port), stalled(port), stalled(port)])
  const over = await stalled(port)
  t.equal(await over.answer, '', 'a fourth connection is closed at once, unanswered')
  for (const s of held) t.match(await s.answer, /^HTTP\/1\.1 408 [\s\S]*PAYLAB_REQUEST_TIMEOUT/, 'the stalled ones time out with a 408')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.match(gw.stdout(), /connection limit reached: 3 connections are open/, 'the cap is logged')
  t.equal((await fetch(`${gw.url}/healthz`)).status, 200, '/healthz answers once they are gone')
  for (const s of [...held, over]) s.socket.destroy()

  t.equal((await fetch(`${gw.url}/pay`, payRequest('mem-order', 'your-api-key'))).status, 401, '--seed-secret replaces your-api-key')
  t.equal((await fetch(`${gw.url}/pay`, payRequest('mem-order', 'cli-seed-secret'))).status, 200)
  const { code, stdout, stderr } = await gw.stop()
  t.equal(code, 0)
  t.same(await readdir(cwd), [], '--memory: nothing written, not even the --data-dir')
  // Without --database-url nothing of PostgreSQL is loaded (test/postgres/cli.test.ts: with it, pg is).
  const loaded = loadedPackages(stderr)
  t.ok(loaded.includes('fastify'), 'the list names what the gateway loaded')
  t.same(loaded.filter((name) => /^pg($|-)/.test(name)), [], 'no pg package was loaded')

  // Piped (stdout is not a terminal), it logs JSON lines (pretty ones: test/log-format.test.ts).
  const jsonLines = stdout.slice(stdout.indexOf('/pay client:')).split('\n').slice(1).filter((l) => l.trim() !== '')
  t.ok(jsonLines.length > 0, 'something was logged')
  for (const line of jsonLines) t.doesNotThrow(() => JSON.parse(line), `a JSON line: ${line.slice(0, 60)}`)
  t.ok(jsonLines.some((l) => (JSON.parse(l) as { msg?: string }).msg === 'request completed'), 'the request is logged')
})

t.test('a data dir that cannot be used ends the start with one line and exit code 1', async (t) => {
  const file = join(dir, 'a-file')
  await writeFile(file, 'not a folder')
  // A folder the gateway may not write: read-only for anyone but root; root is refused by sysfs.
  const readOnly = join(dir, 'read-only')
  await mkdir(readOnly)
  await chmod(readOnly, 0o500)
  const unwritable = process.getuid?.() === 0 ? '/sys/paylab-data' : join(readOnly, 'data')
  const cases: Array<[string, string, RegExp]> = [
    ['a file in the path', join(file, 'data'), /not a folder \(ENOTDIR/],
    ['a folder it may not write', unwritable, /(permission denied|operation not permitted|read-only) \(E(ACCES|PERM|ROFS)/]
  ]
  for (const [name, dataDir, reason] of cases) {
    const run = await refusedRun(['--port', '0', '--data-dir', dataDir])
    t.equal(run.code, 1, `${name}: exit code 1`)
    t.equal(run.stderr.trim().split('\n').length, 1, `${name}: one line: ${run.stderr}`)
    t.match(run.stderr, `paylab gateway: cannot use the data dir ${dataDir}: `, name)
    t.match(run.stderr, reason, name)
    t.notMatch(run.stderr, /\n\s+at /, `${name}: no stack trace`)
    t.equal(run.stdout, '', `${name}: no banner`)
  }
})
