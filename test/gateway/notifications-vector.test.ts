// docs/notifications.md against the code and the wire: the HMAC notification vector (made with
// openssl alone), the verification function and openssl line the page gives, run on real
// notifications, and the page's tables against the engine's.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { nodeCrypto } from '../../gateway/engine/crypto.js'
import { DEFAULT_CONFIG } from '../../gateway/engine/context.js'
import { NOTIFICATION_FAULT_AMOUNTS, NOTIFICATION_FAULTS } from '../../gateway/engine/notification-faults.js'
import { answerStringToSign, createSignature } from '../../gateway/engine/signing.js'
import { notifyBench } from '../helpers/notifications.js'
import { answerVerifies } from '../helpers/signer.js'
import { vectors } from '../helpers/vectors.js'

const doc = await readFile(new URL('../../docs/notifications.md', import.meta.url), 'utf8')
const v = vectors.hmac_notification
const secret = vectors.merchant.hmac_secret

type Verify = (headers: Record<string, unknown>, rawBody: Buffer, keys: { secret?: string, gatewayKeys?: Record<string, string> }, nowSec?: number) => boolean

/** The page's verifyNotification, run as a reader would paste it. */
async function docVerifier (): Promise<Verify> {
  const block = /```js\n([\s\S]*?export function verifyNotification[\s\S]*?)```/.exec(doc)?.[1]
  if (block === undefined) throw new Error('docs/notifications.md has no verifyNotification block')
  const dir = await mkdtemp(join(tmpdir(), 'paylab-doc-'))
  try {
    await writeFile(join(dir, 'verify.mjs'), block)
    return ((await import(join(dir, 'verify.mjs'))) as { verifyNotification: Verify }).verifyNotification
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
const verifyNotification = await docVerifier()

const vectorHeaders = {
  'paylab-event-id': v.event_id, 'paylab-delivery-attempt': v.delivery_attempt, 'paylab-timestamp': v.timestamp,
  'paylab-nonce': v.nonce, 'paylab-signature-type': v.signature_type, 'paylab-signature': v.signature
}

t.test('the gateway signing code reproduces the notification vector', async (t) => {
  const data = answerStringToSign(v.timestamp, v.nonce, Buffer.from(v.body))
  t.equal(data.toString('utf8'), v.string_to_sign)
  t.equal(createSignature(nodeCrypto, 'HMAC-SHA256', { hmacSecret: secret }, data), v.signature)
  t.equal(JSON.parse(v.body).id, v.event_id, 'the body\'s id is the Paylab-Event-Id')
  t.ok(answerVerifies(vectorHeaders, v.body, { secret }), 'the independent test verifier agrees')
})

t.test('the page\'s verifyNotification takes the vector at its time and nothing else', async (t) => {
  const at = Number(v.timestamp)
  const body = Buffer.from(v.body)
  t.ok(verifyNotification(vectorHeaders, body, { secret }, at))
  t.ok(verifyNotification(vectorHeaders, body, { secret }, at + 300), '300 s later still')
  t.notOk(verifyNotification(vectorHeaders, body, { secret }, at + 301), '301 s later: too old')
  t.notOk(verifyNotification(vectorHeaders, body, { secret }, at - 301), 'from the future')
  t.notOk(verifyNotification(vectorHeaders, Buffer.from(v.body.replace('5000', '5100')), { secret }, at), 'a changed body')
  t.notOk(verifyNotification(vectorHeaders, Buffer.from(JSON.stringify(JSON.parse(v.body), null, 1)), { secret }, at), 'the same JSON, other bytes')
  t.notOk(verifyNotification(vectorHeaders, body, { secret: 'another-secret' }, at), 'another secret')
  t.notOk(verifyNotification({ ...vectorHeaders, 'paylab-signature': v.signature.slice(0, 20) }, body, { secret }, at), 'a cut signature')
  t.notOk(verifyNotification({ ...vectorHeaders, 'paylab-signature-type': 'RSA-SHA256' }, body, { secret }, at), 'RSA without a key')
})

t.test('the page quotes the vector exactly', async (t) => {
  for (const value of [v.event_id, v.timestamp, v.nonce, v.body, v.signature, v.string_to_sign.replaceAll('\n', '\\n')]) {
    t.ok(doc.includes(value), value.slice(0, 60))
  }
})

t.test('the page\'s function and openssl line verify real notifications', async (t) => {
  const hmac = await notifyBench(t)
  await hmac.pay()
  const [req] = await hmac.rx.waitFor(1)
  if (req === undefined) return
  t.ok(verifyNotification(req.headers, req.body, { secret: hmac.shop.secret }, Date.now() / 1000), 'HMAC')
  const recipe = /```sh\n(printf '%s\\n%s\\n%s\\n'[\s\S]*?)```/.exec(doc)?.[1]
  t.ok(recipe, 'the page has the openssl line')
  const out = execFileSync('bash', ['-c', recipe ?? 'false'], {
    env: { PATH: process.env.PATH, TS: String(req.headers['paylab-timestamp']), NONCE: String(req.headers['paylab-nonce']), BODY: req.text, SECRET: hmac.shop.secret ?? '' }
  }).toString().trim()
  t.equal(out, req.headers['paylab-signature'], 'openssl computes the signature sent')

  const rsa = await notifyBench(t, { answer_signature_type: 'RSA-SHA256' })
  await rsa.pay()
  const [signed] = await rsa.rx.waitFor(1)
  if (signed === undefined) return
  t.ok(verifyNotification(signed.headers, signed.body, { gatewayKeys: rsa.gatewayKeys }, Date.now() / 1000), 'RSA with the /v1/keys keys')
  t.notOk(verifyNotification(signed.headers, signed.body, { gatewayKeys: {} }, Date.now() / 1000), 'not with an unknown key id')
})

t.test('the page\'s tables are the engine\'s: schedule, event types, faults and amounts', async (t) => {
  const row = (title: string): string[] => {
    const line = doc.split('\n').find((l) => l.startsWith(`| ${title} |`))
    return line === undefined ? [] : line.split('|').slice(2, -1).map((c) => c.trim())
  }
  t.same(row('Wait (s)').map(Number), DEFAULT_CONFIG.notifyRetrySchedule)
  const sum = DEFAULT_CONFIG.notifyRetrySchedule.reduce((a, b) => a + b, 0)
  t.match(doc, `${DEFAULT_CONFIG.notifyRetrySchedule.length + 1} attempts over 24 h 4 min (${sum.toLocaleString('en')} s)`)
  t.match(doc, `The answer.** Any \`2xx\` within the timeout (${DEFAULT_CONFIG.notifyTimeoutMs / 1000} s;`)

  const section = (heading: string): string => doc.slice(doc.indexOf(`\n## ${heading}\n`), doc.indexOf('\n## ', doc.indexOf(`\n## ${heading}\n`) + 1))
  const firstCells = (text: string): string[] => [...text.matchAll(/^\s*\| `([^`]+)` \|/gm)].map((m) => m[1] as string)
  const openapi = parse(await readFile(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as { components: { schemas: { EventType: { enum: string[] } } } }
  t.same(firstCells(section('Event types')).sort(), [...openapi.components.schemas.EventType.enum].sort())

  const faults = section('Notification faults')
  const [faultRows, amountRows] = [firstCells(faults).filter((c) => !/^\d+$/.test(c)), firstCells(faults).filter((c) => /^\d+$/.test(c))]
  t.same(faultRows.map((f) => f.split(';')[0]), Object.keys(NOTIFICATION_FAULTS))
  t.same(amountRows, Object.keys(NOTIFICATION_FAULT_AMOUNTS))
  const amounts = Object.fromEntries([...faults.matchAll(/^\s*\| `(\d+)` \| `([^`]+)` \|/gm)].map((m) => [m[1], m[2]]))
  t.same(amounts, NOTIFICATION_FAULT_AMOUNTS)
})
