// The RSA private-key work on worker threads (gateway/crypto/worker-pool.ts): the pool computes
// what node:crypto computes, and a gateway whose provider offers the async forms answers card
// creates and RSA-signed requests exactly as one without: same outcomes, same refusals, one
// payment per Idempotency-Key however many arrive while the unwrap is away.
import { constants, createPrivateKey, privateDecrypt, publicEncrypt, randomBytes, sign } from 'node:crypto'
import t from 'tap'
import { pooledCrypto, RsaWorkerPool, WORKER_SOURCE } from '../../gateway/crypto/worker-pool.js'
import { PAYLAB_ONLY, build, testCrypto, type TestGateway } from '../helpers/build.js'
import { answerVerifies } from '../helpers/signer.js'
import { vectorKeys } from '../helpers/vectors.js'

// One pool for the file, counting what it is given, so that each test can say the pool did the work.
const pool = new RsaWorkerPool(2)
const calls = { decrypt: 0, sign: 0 }
const counted = pooledCrypto(testCrypto, pool)
const crypto = {
  ...counted,
  rsaOaepDecryptAsync: (pem: string, data: Buffer) => { calls.decrypt++; return pool.rsaOaepDecrypt(pem, data) },
  rsaSha256SignAsync: (pem: string, data: Buffer | string) => { calls.sign++; return pool.rsaSha256Sign(pem, Buffer.from(data)) }
}
t.teardown(() => pool.close())

const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }

t.test('the pool decrypts and signs as node:crypto does, and refuses what node:crypto refuses', async (t) => {
  const secret = randomBytes(32)
  const wrapped = publicEncrypt({ key: vectorKeys.publicKeyPem, ...oaep }, secret)
  t.same(await pool.rsaOaepDecrypt(vectorKeys.privateKeyPem, wrapped), privateDecrypt({ key: vectorKeys.privateKeyPem, ...oaep }, wrapped))
  const data = Buffer.from('1767225600\nnonce-0123456789ab\n{"ok":true}\n')
  const expected = sign('sha256', data, { key: createPrivateKey(vectorKeys.privateKeyPem), padding: constants.RSA_PKCS1_PADDING })
  // A pooled Buffer (a view into a larger allocation) must send its own bytes only.
  const view = Buffer.concat([Buffer.from('prefix'), data]).subarray(6)
  t.same(await pool.rsaSha256Sign(vectorKeys.privateKeyPem, view), expected, 'PKCS#1 v1.5 signatures are deterministic: the same bytes')
  await t.rejects(pool.rsaOaepDecrypt(vectorKeys.privateKeyPem, randomBytes(256)), 'a ciphertext that is not OAEP under the key')
  await t.rejects(pool.rsaSha256Sign('not a key', data), 'a key that does not parse')
  const results = await Promise.all(Array.from({ length: 20 }, () => pool.rsaOaepDecrypt(vectorKeys.privateKeyPem, wrapped)))
  t.ok(results.every((r) => r.equals(secret)), '20 at once, spread over the workers, each answered with its own result')
})

t.test('more keys than the workers keep numbered: the numbering starts over, every answer is still right', async (t) => {
  const few = new RsaWorkerPool(2)
  t.teardown(() => few.close())
  const data = Buffer.from('data')
  const expected = sign('sha256', data, vectorKeys.privateKeyPem)
  // 300 spellings of one key (trailing newlines): 300 keys to the pool, past its 256.
  const spellings = Array.from({ length: 300 }, (_, i) => vectorKeys.privateKeyPem + '\n'.repeat(i))
  let wrong = 0
  for (const pem of [...spellings, ...spellings.slice(0, 10)]) if (!(await few.rsaSha256Sign(pem, data)).equals(expected)) wrong++
  t.equal(wrong, 0)
})

t.test('operations sent together go in batches: each gets its own result or its own error, in any mix', async (t) => {
  // One worker, so that everything queues behind the batches in flight and is sent in batches;
  // 300 keys at once, so that the numbering starts over inside a batch.
  const one = new RsaWorkerPool(1)
  t.teardown(() => one.close())
  const data = Buffer.from('batched')
  const expected = sign('sha256', data, vectorKeys.privateKeyPem)
  const spellings = Array.from({ length: 300 }, (_, i) => vectorKeys.privateKeyPem + '\n'.repeat(i))
  const results = await Promise.allSettled(spellings.map((pem, i) => i % 7 === 3
    ? one.rsaOaepDecrypt(pem, randomBytes(256))
    : i % 11 === 5 ? one.rsaSha256Sign('not a key', data) : one.rsaSha256Sign(pem, data)))
  const wrong = results.filter((r, i) => (i % 7 === 3 || i % 11 === 5) !== (r.status === 'rejected') || (r.status === 'fulfilled' && !r.value.equals(expected)))
  t.equal(wrong.length, 0, 'refusals where the input is bad, the right signature everywhere else')
  t.same(await one.rsaSha256Sign(spellings[0] as string, data), expected, 'and the pool goes on after them')
})

t.test('a worker that dies with a batch in flight fails what it held, and the next operation gets a new worker', async (t) => {
  // The workers' own code, but a worker handed the bytes "die" exits before it works on its batch.
  const dying = `require('node:worker_threads').parentPort.on('message', (batch) => {
    if (batch.some((op) => Buffer.from(op[5], 'latin1').toString() === 'die')) process.exit(3)
  })\n${WORKER_SOURCE}`
  const one = new RsaWorkerPool(1, dying)
  t.teardown(() => one.close())
  const data = Buffer.from('held')
  const expected = sign('sha256', data, vectorKeys.privateKeyPem)
  t.same(await one.rsaSha256Sign(vectorKeys.privateKeyPem, data), expected, 'the worker works')
  // 20 at once on one worker: the first two go at once, a batch each (a worker holds two); the
  // rest queue and go 8 at a time as batches come back, "die" in the first of those.
  const held = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => one.rsaSha256Sign(vectorKeys.privateKeyPem, i === 3 ? Buffer.from('die') : data)))
  t.same(held.map((r) => r.status), [...Array(2).fill('fulfilled'), ...Array(18).fill('rejected')], 'the two answered before it died stand; everything it held after, in flight or queued, fails: none hangs')
  t.match((held[2] as PromiseRejectedResult).reason, { message: /an RSA worker exited \(code 3\)/ })
  t.same(await one.rsaSha256Sign(vectorKeys.privateKeyPem, data), expected, 'a new worker takes the next operation, its key parsed anew')
})

t.test('what the pool cannot do is done on this thread: a dead worker costs latency, never a wrong answer', async (t) => {
  const dying = `require('node:worker_threads').parentPort.on('message', () => process.exit(4))\n${WORKER_SOURCE}`
  const dead = new RsaWorkerPool(1, dying)
  t.teardown(() => dead.close())
  const provider = pooledCrypto(testCrypto, dead)
  const signAsync = provider.rsaSha256SignAsync as NonNullable<typeof provider.rsaSha256SignAsync>
  const data = Buffer.from('signed anyway')
  const signatures = await Promise.all(Array.from({ length: 10 }, () => signAsync(vectorKeys.privateKeyPem, data)))
  const expected = sign('sha256', data, vectorKeys.privateKeyPem)
  t.ok(signatures.every((s) => s.equals(expected)), 'every signature made, and right, though every worker died holding it')
  const secret = randomBytes(32)
  const wrapped = publicEncrypt({ key: vectorKeys.publicKeyPem, ...oaep }, secret)
  t.same(await provider.rsaOaepDecryptAsync?.(vectorKeys.privateKeyPem, wrapped), secret, 'an envelope opened here')
  await t.rejects(provider.rsaOaepDecryptAsync?.(vectorKeys.privateKeyPem, randomBytes(256)) as Promise<Buffer>, 'a ciphertext that does not open is still refused')
  await dead.close()
  t.same(await provider.rsaSha256SignAsync?.(vectorKeys.privateKeyPem, data), expected, 'a closed pool too: signed here')
  await t.rejects(pooledCrypto(testCrypto, new RsaWorkerPool(1, '')).rsaSha256SignAsync?.('not a key', data) as Promise<Buffer>, 'an operation that fails fails here too')
})

t.test('a closed pool refuses work', async (t) => {
  const closed = new RsaWorkerPool(1)
  t.same(await closed.rsaSha256Sign(vectorKeys.privateKeyPem, Buffer.from('x')), sign('sha256', Buffer.from('x'), vectorKeys.privateKeyPem))
  await closed.close()
  await t.rejects(closed.rsaSha256Sign(vectorKeys.privateKeyPem, Buffer.from('x')), /closed/)
})

async function rsaMerchant (gw: TestGateway) {
  const res = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'rsa-shop', rsa_public_key: vectorKeys.publicKeyPem } })
  if (res.statusCode !== 201) throw new Error(`creating a merchant answered ${res.statusCode}`)
  return { merchant: 'rsa-shop', secret: res.json().hmac_secret as string, privateKeyPem: vectorKeys.privateKeyPem }
}

t.test('a card create unwraps its envelope on the pool; its outcome is the card\'s', async (t) => {
  const gw = await build(t, { ...PAYLAB_ONLY, crypto })
  const before = calls.decrypt
  const ok = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') })
  t.equal(ok.statusCode, 201)
  t.equal(ok.json().status, 'succeeded')
  t.equal(ok.json().method.card.last4, '4242')
  const declined = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4000000000000002') })
  t.equal(declined.json().status, 'failed')
  t.equal(calls.decrypt - before, 2, 'each envelope went to the pool')
})

t.test('an envelope that does not open is refused as before, and the refusal is replayed for its Idempotency-Key', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const pooled = await build(t, { ...PAYLAB_ONLY, crypto })
  for (const g of [gw, pooled]) {
    const body = g.cardPayment('4242424242424242')
    const card = (body.method as { card: { encrypted: Record<string, string> } }).card
    card.encrypted.encrypted_key = randomBytes(256).toString('base64')
    const res = await g.signed({ method: 'POST', path: '/v1/payments', body, idempotencyKey: 'bad-envelope' })
    t.equal(res.statusCode, 400)
    t.equal(res.json().error.code, 'PAYLAB_CARD_ENCRYPTION_INVALID')
    t.equal(res.json().error.field, 'method.card.encrypted')
    const again = await g.signed({ method: 'POST', path: '/v1/payments', body, idempotencyKey: 'bad-envelope' })
    t.equal(again.headers['paylab-idempotent-replayed'], 'true')
    t.same(again.json().error.code, 'PAYLAB_CARD_ENCRYPTION_INVALID')
    // A refusal that comes before the unwrap (an order id already used differently) still comes first.
    const first = await g.signed({ method: 'POST', path: '/v1/payments', body: { ...g.cardPayment('4242424242424242'), merchant_order_id: 'dup-order' } })
    t.equal(first.statusCode, 201)
    const conflict = await g.signed({ method: 'POST', path: '/v1/payments', body: { ...body, merchant_order_id: 'dup-order', amount: 1 } })
    t.equal(conflict.json().error.code, 'PAYLAB_ORDER_ID_CONFLICT')
  }
})

t.test('creates racing on one Idempotency-Key while their envelopes are away make one payment', async (t) => {
  const gw = await build(t, { ...PAYLAB_ONLY, crypto })
  const body = gw.cardPayment('4242424242424242')
  const answers = await Promise.all(Array.from({ length: 12 }, () => gw.signed({ method: 'POST', path: '/v1/payments', body, idempotencyKey: 'race-1' })))
  const ids = new Set(answers.map((a) => a.json().id as string))
  t.equal(ids.size, 1, 'one payment')
  t.equal(answers.filter((a) => a.headers['paylab-idempotent-replayed'] === 'true').length, 11, 'the others are replays')
  t.equal(gw.engine.listPayments('demo', 100).data.length, 1)
})

t.test('an RSA-signed request gets its RSA answer signature from the pool, refusals included', async (t) => {
  const gw = await build(t, { ...PAYLAB_ONLY, crypto })
  const rsa = await rsaMerchant(gw)
  const active = gw.engine.keys().data.find((k) => k.status === 'active')
  const before = calls.sign
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', type: 'RSA-SHA256', body: gw.cardPayment('4242424242424242') }, rsa)
  t.equal(res.statusCode, 201)
  t.equal(res.headers['paylab-signature-type'], 'RSA-SHA256')
  t.equal(res.headers['paylab-key-id'], active?.id)
  t.ok(answerVerifies(res.headers, res.body, { publicKeyPem: active?.public_key }))
  const forged = await gw.signed({ method: 'GET', path: '/v1/payments', type: 'RSA-SHA256', headers: { 'paylab-signature': 'AAAA' } }, rsa)
  t.equal(forged.statusCode, 401)
  t.ok(answerVerifies(forged.headers, forged.body, { publicKeyPem: active?.public_key }))
  t.equal(calls.sign - before, 2, 'both signatures came from the pool')
  const hmac = await gw.signed({ method: 'GET', path: '/v1/payments' }, rsa)
  t.ok(answerVerifies(hmac.headers, hmac.body, { secret: rsa.secret }), 'an HMAC answer is signed at once, as before')
  t.equal(calls.sign - before, 2)
})

t.test('a provider whose async forms give thenables of another library: answers still wait for them', async (t) => {
  // Not a native promise: a gateway that told a promise from a value with instanceof read it as a signature.
  const thenable = <T>(value: T): Promise<T> => ({ then: (resolve: (v: T) => unknown) => { setImmediate(() => resolve(value)); return thenable(undefined) } }) as unknown as Promise<T>
  const foreign = {
    ...testCrypto,
    rsaSha256SignAsync: (pem: string, data: Buffer | string) => thenable(testCrypto.rsaSha256Sign(pem, data)),
    rsaOaepDecryptAsync: (pem: string, data: Buffer) => thenable(testCrypto.rsaOaepDecrypt(pem, data))
  }
  const gw = await build(t, { ...PAYLAB_ONLY, crypto: foreign })
  const rsa = await rsaMerchant(gw)
  const active = gw.engine.keys().data.find((k) => k.status === 'active')
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', type: 'RSA-SHA256', body: gw.cardPayment('4242424242424242') }, rsa)
  t.equal(res.statusCode, 201, 'the envelope opened')
  t.equal(res.json().status, 'succeeded')
  t.ok(answerVerifies(res.headers, res.body, { publicKeyPem: active?.public_key }), 'and the answer is signed')
})

t.test('a card the buyer enters on the hosted cashier is unwrapped on the pool too', async (t) => {
  const gw = await build(t, { ...PAYLAB_ONLY, crypto })
  const hosted = async () => {
    const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: { merchant_order_id: `hosted-${Math.random()}`, amount: 2500, currency: 'USD', method: { type: 'card', card: { entry: 'hosted' } } } })
    return res.json().id as string
  }
  const envelope = (number: string) => (gw.cardPayment(number).method as { card: { encrypted: { key_id: string, alg: string, encrypted_key: string, iv: string, ciphertext: string, tag: string } } }).card.encrypted
  const before = calls.decrypt
  const paid = await gw.engine.enterCard(await hosted(), envelope('4242424242424242'))
  t.match(paid, { status: 'succeeded', method: { card: { last4: '4242' } } })
  const id = await hosted()
  const broken = { ...envelope('4242424242424242'), encrypted_key: randomBytes(256).toString('base64') }
  await t.rejects(gw.engine.enterCard(id, broken), { code: 'PAYLAB_CARD_ENCRYPTION_INVALID' })
  t.equal(gw.engine.findPayment(id)?.status, 'requires_action', 'a refused card leaves the payment waiting')
  t.equal(calls.decrypt - before, 2)
})
