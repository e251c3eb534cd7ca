// The fixed vectors of docs/vectors (made with openssl alone) against the gateway's own signing
// code, the independent test signer, and the running gateway.
import t, { type Test } from 'tap'
import { execFileSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import NodeRSA from 'node-rsa'
import { nodeCrypto } from '../../gateway/engine/crypto.js'
import { answerStringToSign, createSignature, requestStringToSign, signedData, verifySignature } from '../../gateway/engine/signing.js'
import { signAnswer } from '../../gateway/engine/auth.js'
import { DEFAULT_CONFIG, type EngineContext } from '../../gateway/engine/context.js'
import { Db } from '../../gateway/engine/db.js'
import { Scheduler } from '../../gateway/engine/scheduler.js'
import type { GatewayKey, Merchant } from '../../gateway/engine/types.js'
import { MemoryStore } from '../../gateway/store/memory-store.js'
import { PAYLAB_ONLY, build, type TestGateway } from '../helpers/build.js'
import { answerVerifies, nonce, signRequest } from '../helpers/signer.js'
import { answerVectors, requestVectors, vectorHeaders, vectorKeys, vectors, type RequestVector } from '../helpers/vectors.js'

const keys = { hmacSecret: vectors.merchant.hmac_secret, rsaPrivateKeyPem: vectorKeys.privateKeyPem, rsaPublicKeyPem: vectorKeys.publicKeyPem }
const creds = { merchant: vectors.merchant.id, secret: vectors.merchant.hmac_secret, privateKeyPem: vectorKeys.privateKeyPem }
const atVectorTime = { now: () => Number(vectors.hmac_request.timestamp) * 1000 }

async function vectorGateway (t: Test, clock = atVectorTime): Promise<TestGateway> {
  const gw = await build(t, { ...PAYLAB_ONLY, clock })
  const res = await gw.admin({
    method: 'POST',
    url: '/admin/merchants',
    payload: { id: vectors.merchant.id, hmac_secret: vectors.merchant.hmac_secret, rsa_public_key: vectorKeys.publicKeyPem }
  })
  t.equal(res.statusCode, 201, 'the vector merchant is created')
  return gw
}

const inject = (gw: TestGateway, v: RequestVector) =>
  gw.app.inject({ method: v.method as 'GET', url: v.path, headers: vectorHeaders(v), payload: v.body === '' ? undefined : v.body })

t.test('the gateway signing code reproduces every request vector', async (t) => {
  for (const v of requestVectors) {
    const data = requestStringToSign(v.method, v.path, v.timestamp, v.nonce, Buffer.from(v.body))
    t.equal(data.toString('utf8'), v.string_to_sign, `${v.nonce}: string to sign`)
    t.equal(createSignature(nodeCrypto, v.signature_type, keys, data), v.signature, `${v.nonce}: signature`)
    t.ok(verifySignature(nodeCrypto, v.signature_type, keys, data, v.signature), `${v.nonce}: verifies`)
    const tampered = requestStringToSign(v.method, v.path, String(Number(v.timestamp) + 1), v.nonce, Buffer.from(v.body))
    t.notOk(verifySignature(nodeCrypto, v.signature_type, keys, tampered, v.signature), `${v.nonce}: another timestamp fails`)
  }
})

t.test('the gateway signing code reproduces every answer vector', async (t) => {
  for (const v of answerVectors) {
    const data = answerStringToSign(v.timestamp, v.nonce, Buffer.from(v.body))
    t.equal(data.toString('utf8'), v.string_to_sign, `${v.nonce}: string to sign`)
    t.equal(createSignature(nodeCrypto, v.signature_type, keys, data), v.signature, `${v.nonce}: signature`)
  }
})

t.test('signed as text, an answer or a bodiless request gives the bytes and signatures of the vectors', async (t) => {
  for (const v of answerVectors) {
    const text = answerStringToSign(v.timestamp, v.nonce, v.body)
    t.equal(text, v.string_to_sign, `${v.nonce}: the text is the string to sign`)
    t.equal(createSignature(nodeCrypto, v.signature_type, keys, text), v.signature, `${v.nonce}: signed as text`)
  }
  for (const v of requestVectors) {
    const data = signedData(v.method, v.path, v.timestamp, v.nonce, Buffer.from(v.body))
    t.equal(typeof data, v.body === '' ? 'string' : 'object', `${v.nonce}: text only without a body`)
    t.equal(data.toString(), v.string_to_sign, `${v.nonce}: the string to sign`)
    t.ok(verifySignature(nodeCrypto, v.signature_type, keys, data, v.signature), `${v.nonce}: the vector's signature verifies over it`)
  }
})

/**
 * What auth.ts's signAnswer reads, made for one answer vector: the vector's clock, and a store
 * whose one gateway key is the vector key (the Engine keeps its context to itself).
 */
async function vectorContext (timestamp: string): Promise<{ ctx: EngineContext, keyId: string }> {
  const clock = { now: () => Number(timestamp) * 1000 }
  const key: GatewayKey = { id: 'key_vector', algorithm: 'RSA', status: 'active', public_key: vectorKeys.publicKeyPem, private_key: vectorKeys.privateKeyPem, created_at: new Date(clock.now()).toISOString() }
  const db = await Db.open(new MemoryStore({ keys: [key] }))
  return { ctx: { db, crypto: nodeCrypto, clock, config: { ...DEFAULT_CONFIG }, scheduler: new Scheduler(db), emit: () => {} }, keyId: key.id }
}

t.test('signAnswer makes the answer vectors when its clock, nonce and key are the vector\'s', async (t) => {
  const at = new Date(0).toISOString()
  const merchant: Merchant = { id: vectors.merchant.id, name: 'vectors', hmac_secret: vectors.merchant.hmac_secret, rsa_public_key: vectorKeys.publicKeyPem, notify_url: null, answer_signature_type: 'HMAC-SHA256', notify_retry_schedule: null, created_at: at, updated_at: at }
  for (const v of answerVectors) {
    const { ctx, keyId } = await vectorContext(v.timestamp)
    const headers = signAnswer(ctx, { merchant, signatureType: v.signature_type }, Buffer.from(v.body), v.nonce)
    t.equal(headers['Paylab-Timestamp'], v.timestamp)
    t.equal(headers['Paylab-Signature-Type'], v.signature_type)
    t.equal(headers['Paylab-Signature'], v.signature, `${v.nonce}: signature`)
    t.equal(headers['Paylab-Key-Id'], v.key_id === null ? undefined : keyId)
  }
})

t.test('the independent test signer reproduces every vector', async (t) => {
  for (const v of requestVectors) {
    const { headers, payload } = signRequest(creds, { method: v.method, path: v.path, body: v.body, type: v.signature_type, timestamp: Number(v.timestamp), nonce: v.nonce })
    t.equal(payload, v.body)
    t.same(headers, vectorHeaders(v), `${v.nonce}: headers`)
  }
  for (const v of answerVectors) {
    const headers = { 'paylab-timestamp': v.timestamp, 'paylab-nonce': v.nonce, 'paylab-signature-type': v.signature_type, 'paylab-signature': v.signature }
    t.ok(answerVerifies(headers, v.body, { secret: creds.secret, publicKeyPem: vectorKeys.publicKeyPem }), `${v.nonce}: verifies`)
    t.notOk(answerVerifies(headers, v.body.replace('succeeded', 'failed'), { secret: creds.secret, publicKeyPem: vectorKeys.publicKeyPem }), `${v.nonce}: a changed body fails`)
  }
})

t.test('the /pay vector is the hex HMAC of the Python client\'s body', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const p = vectors.pay
  t.equal(createHmac('sha256', p.secret).update(p.body).digest('hex'), p.signature)
  t.equal(gw.engine.paySignature(p.body), p.signature, 'the gateway computes the same')
  const res = await gw.app.inject({ method: 'POST', url: p.path, headers: { 'content-type': 'application/json', signature: p.signature }, payload: p.body })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().status, 'success')
  t.equal(res.headers.signature, createHmac('sha256', p.secret).update(res.body).digest('hex'))
})

t.test('the gateway accepts each request vector, headers and all, at the vector\'s time', async (t) => {
  for (const v of requestVectors) {
    const gw = await vectorGateway(t)
    const res = await inject(gw, v)
    t.equal(res.statusCode, v.method === 'POST' ? 201 : 200, `${v.nonce}: ${res.body}`)
    t.equal(res.headers['paylab-signature-type'], v.signature_type)
    const gatewayKey = gw.engine.keys().data[0]?.public_key
    t.ok(answerVerifies(res.headers, res.body, { secret: vectors.merchant.hmac_secret, publicKeyPem: gatewayKey }), 'the answer is signed')
    const again = await inject(gw, v)
    t.equal(again.json().error.code, 'PAYLAB_REPLAYED_REQUEST', 'and only once')
  }
})

t.test('a request vector is too old once the clock has moved past the window', async (t) => {
  const gw = await vectorGateway(t, { now: () => (Number(vectors.hmac_request.timestamp) + 301) * 1000 })
  const res = await inject(gw, vectors.hmac_request)
  t.equal(res.statusCode, 401)
  t.equal(res.json().error.code, 'PAYLAB_TIMESTAMP_OUT_OF_RANGE')
})

t.test('openssl dgst -sha256 -sign output is accepted as an RSA-SHA256 signature', async (t) => {
  const gw = await vectorGateway(t, { now: () => Date.now() })
  const path = '/v1/payments?limit=1'
  const timestamp = String(Math.floor(Date.now() / 1000))
  const n = nonce()
  const toSign = `GET\n${path}\n${timestamp}\n${n}\n\n`
  const signature = execFileSync('/usr/bin/openssl', ['dgst', '-sha256', '-sign', vectorKeys.privateKeyPath], { input: toSign }).toString('base64')
  const headers = { ...vectorHeaders({ ...vectors.rsa_request, method: 'GET', path, timestamp, nonce: n, body: '', signature }) }
  const res = await gw.app.inject({ method: 'GET', url: path, headers })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json().data, [])
  t.equal(res.headers['paylab-signature-type'], 'RSA-SHA256')
})

t.test('node-rsa signs like the gateway only with signingScheme pkcs1-sha256', async (t) => {
  const gw = await vectorGateway(t, { now: () => Date.now() })
  const v = vectors.rsa_request
  const pkcs1 = new NodeRSA(vectorKeys.privateKeyPem, 'pkcs8-private-pem', { signingScheme: 'pkcs1-sha256' })
  t.equal(pkcs1.sign(Buffer.from(v.string_to_sign), 'base64'), v.signature, 'reproduces the RSA vector')
  const pss = new NodeRSA(vectorKeys.privateKeyPem, 'pkcs8-private-pem')
  for (const [key, code] of [[pkcs1, undefined], [pss, 'PAYLAB_SIGNATURE_INVALID']] as const) {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const n = nonce()
    const signature = key.sign(Buffer.from(`GET\n/v1/payments\n${timestamp}\n${n}\n\n`), 'base64')
    const res = await gw.app.inject({ method: 'GET', url: '/v1/payments', headers: vectorHeaders({ ...v, method: 'GET', path: '/v1/payments', timestamp, nonce: n, body: '', signature }) })
    t.equal(res.statusCode, code === undefined ? 200 : 401, res.body)
    t.equal(res.json().error?.code, code)
  }
})
