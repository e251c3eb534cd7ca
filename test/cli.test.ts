import t from 'tap'
import { createHmac } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, runCliHere, startGateway, type RunningGateway } from './helpers/cli.js'
import { signRequest } from './helpers/signer.js'
import { card, encryptCard } from './helpers/envelope.js'

const dirs: string[] = []
t.teardown(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))
async function tempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-cli-'))
  dirs.push(dir)
  return dir
}

/** A signed /v1 request over real HTTP; returns the answer and the signature it sent. */
async function signedFetch (gw: RunningGateway, method: string, path: string, body?: unknown, idempotencyKey?: string) {
  const { headers, payload } = signRequest({ merchant: 'demo', secret: gw.demoSecret }, { method, path, body, idempotencyKey })
  const res = await fetch(gw.url + path, { method, headers, body: payload === '' ? undefined : payload })
  return { res, text: await res.text(), signature: headers['paylab-signature'] as string }
}

/** A create-payment body with a 4242 card encrypted for the gateway's active key. */
async function cardPayment (gw: RunningGateway, orderId: string): Promise<Record<string, unknown>> {
  const keys = JSON.parse((await signedFetch(gw, 'GET', '/v1/keys')).text) as { data: Array<{ id: string, public_key: string }> }
  const key = keys.data[0] as { id: string, public_key: string }
  return { merchant_order_id: orderId, amount: 1999, currency: 'USD', method: { type: 'card', card: { encrypted: encryptCard(key, card('4242424242424242')) } } }
}

/** A /pay request as the source document's client sends it. */
function payRequest (orderId: string, secret = 'your-api-key'): { init: RequestInit, signature: string } {
  const body = JSON.stringify({ user_id: 'u', order_id: orderId, amount: 100.0, currency: 'USD' })
  const signature = createHmac('sha256', secret).update(body).digest('hex')
  return { init: { method: 'POST', body, headers: { 'content-type': 'application/json', signature } }, signature }
}

// Two runs of the command (the exit code as a shell sees it, 0 and 2); the other usage errors and
// the top-level help call the same main() in this process.
t.test('--help exits 0 with the usage; an unknown option exits 2', async (t) => {
  const help = await runCli(['gateway', '--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /Usage: paylab gateway \[options\]/)
  t.match(help.stdout, /--data-dir/)
  const top = await runCliHere(['--help'])
  t.equal(top.code, 0)
  t.match(top.stdout, /paylab gateway \[options\]/)
  const unknown = await runCli(['gateway', '--no-such-option'])
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /no-such-option/)
  t.match(unknown.stderr, /Usage: paylab gateway/)
  const badPort = await runCliHere(['gateway', '--port', 'x'])
  t.equal(badPort.code, 2)
  t.match(badPort.stderr, /--port/)
  const badCommand = await runCliHere(['nonsense'])
  t.equal(badCommand.code, 2)
})

// The restarted gateway of this test logs at info and stays up for the log test below (one
// data-dir gateway fewer to start: each first start generates its RSA keys).
let restarted: RunningGateway | undefined
const file = t
t.test('the gateway serves, prints its credentials, and keeps its state across a SIGTERM', async (t) => {
  const dataDir = await tempDir()
  // First with two channels and no dashboard, then restarted as shipped: every channel, the dashboard.
  const gw = await startGateway(t, ['--port', '0', '--data-dir', dataDir, '--channels', 'stripe,paylab', '--no-dashboard'])
  t.match(gw.stdout(), /channels: +paylab, stripe\n/)
  t.notMatch(gw.stdout(), /dashboard:/, 'no dashboard line without a dashboard')
  t.equal((await fetch(`${gw.url}/dashboard/payments`)).status, 404, 'no dashboard')
  t.equal((await fetch(`${gw.url}/v3/pay/transactions/native`, { method: 'POST' })).status, 404, 'no WeChat Pay')
  t.equal((await fetch(`${gw.url}/v1/payment_intents`, { headers: { authorization: 'Bearer sk_test_x' } })).status, 401, 'Stripe is served')
  t.match(gw.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.match(gw.adminToken, /^adm_/)
  t.ok(gw.demoSecret.length >= 16, 'the demo merchant secret is printed')
  t.equal(gw.seedSecret, 'your-api-key')

  const health = await fetch(`${gw.url}/healthz`)
  t.equal(health.status, 200)
  const paid = await signedFetch(gw, 'POST', '/v1/payments', await cardPayment(gw, 'cli-order-1'))
  t.equal(paid.res.status, 201, paid.text)

  const exit = await gw.stop('SIGTERM')
  t.equal(exit.code, 0, exit.stderr)
  t.ok((await readdir(dataDir)).includes('paylab.json'), 'the state is in the data dir')

  const again = await startGateway(file, ['--port', '0', '--data-dir', dataDir, '--log-level', 'info'])
  restarted = again
  t.match(again.stdout(), /dashboard: +http:\S+\/dashboard/)
  t.match(again.stdout(), /channels: +paylab, wechatpay, stripe, alipay\n/)
  t.equal((await fetch(`${again.url}/dashboard/payments`)).status, 401, 'the dashboard is back, behind its login')
  t.equal(again.adminToken, gw.adminToken, 'the same admin token after a restart')
  t.equal(again.demoSecret, gw.demoSecret, 'the same demo secret after a restart')
  const found = await signedFetch(again, 'GET', '/v1/payments/order/cli-order-1')
  t.equal(found.res.status, 200, found.text)
  t.equal(JSON.parse(found.text).id, JSON.parse(paid.text).id)
})

t.test('info logs never hold signatures, the admin token or secrets; SIGINT stops the gateway', async (t) => {
  const gw = restarted
  if (gw === undefined) throw new Error('the restarted gateway of the test above is not running')
  const secrets = [gw.adminToken, gw.demoSecret]
  for (let i = 0; i < 3; i++) {
    const r = await signedFetch(gw, 'GET', '/v1/payments?limit=1')
    t.equal(r.res.status, 200, r.text)
    secrets.push(r.signature)
  }
  const keyed = await signedFetch(gw, 'POST', '/v1/payments', await cardPayment(gw, 'log-order-1'), 'idem-key-secret-ish')
  t.equal(keyed.res.status, 201, keyed.text)
  secrets.push(keyed.signature, 'idem-key-secret-ish')
  const bad = await fetch(`${gw.url}/v1/payments`, { headers: { 'paylab-merchant': 'demo', 'paylab-timestamp': '1', 'paylab-nonce': 'n'.repeat(16), 'paylab-signature-type': 'HMAC-SHA256', 'paylab-signature': 'c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ==' } })
  t.equal(bad.status, 401)
  secrets.push('c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ==')
  const admin = await fetch(`${gw.url}/admin/merchants`, { headers: { authorization: `Bearer ${gw.adminToken}` } })
  t.equal(admin.status, 200)
  const rotated = await fetch(`${gw.url}/admin/merchants/demo/rotate-secret`, { method: 'POST', headers: { authorization: `Bearer ${gw.adminToken}` } })
  t.equal(rotated.status, 200)
  const newSecret = (await rotated.json() as { hmac_secret: unknown }).hmac_secret
  t.type(newSecret, 'string')
  secrets.push(String(newSecret))
  const payReq = payRequest('log-order-2')
  const pay = await fetch(`${gw.url}/pay`, payReq.init)
  t.equal(pay.status, 200)
  secrets.push(payReq.signature, String(pay.headers.get('signature')))

  const exit = await gw.stop('SIGINT')
  t.equal(exit.code, 0, exit.stderr)
  const logLines = exit.stdout.split('\n').filter((l) => l.startsWith('{'))
  const requestLines = logLines.filter((l) => /"req":/.test(l))
  t.ok(requestLines.length >= 8, `requests were logged (${requestLines.length} lines)`)
  for (const header of ['paylab-signature', 'signature', 'authorization', 'idempotency-key']) {
    t.ok(requestLines.some((l) => l.includes(`"${header}":"[redacted]"`)), `${header} was logged redacted`)
  }
  for (const secret of secrets) {
    const leaks = logLines.filter((l) => l.includes(secret))
    t.same(leaks, [], `no log line holds ${secret.slice(0, 6)}…`)
  }
  t.notMatch(logLines.join('\n'), /4242424242424242/, 'no card number either')
})
