// rsa_public_key takes a public key and nothing else: a private key (which Node would happily
// read as its public half) is refused without being stored or shown back, on create and update,
// and one left in a data dir by an older version is reduced to its public half on start.
import t from 'tap'
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, testCrypto, PAYLAB_ONLY } from '../helpers/build.js'
import { addMerchant } from '../helpers/merchants.js'
import { Db } from '../../gateway/engine/db.js'
import { buildGateway } from '../../gateway/server.js'
import { JournalStore } from '../../gateway/store/journal-store.js'
import { signRequest } from '../helpers/signer.js'
import { vectorKeys } from '../helpers/vectors.js'

// The docs' TEST ONLY merchant key (RSA-2048) rather than one generated here (~0.1-0.5 s of CPU).
const pair = { privateKey: createPrivateKey(vectorKeys.privateKeyPem), publicKey: createPublicKey(vectorKeys.privateKeyPem) }
const spki = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()
const pkcs1 = pair.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()
const pkcs8Private = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const pkcs1Private = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
const encryptedPrivate = pair.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString()
const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
/** The base64 of the private key's body: it must appear in no answer. */
const secretPart = (pem: string): string => (pem.split('\n')[3] ?? '')

const refused: Array<[string, string]> = [
  ['PKCS#8 private key', pkcs8Private],
  ['PKCS#1 private key', pkcs1Private],
  ['encrypted private key', encryptedPrivate],
  ['public key followed by the private key', spki + pkcs8Private],
  ['private key followed by the public key', pkcs1Private + spki],
  ['two public keys', spki + spki],
  ['1024-bit RSA', small],
  ['EC key', ec],
  ['garbage', 'not a key']
]

t.test('POST and PATCH refuse anything but one RSA public key of 2048+ bits, stably and without echo', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const existing = await addMerchant(gw)
  for (const [name, key] of refused) {
    const created = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'm-refused', rsa_public_key: key } })
    const patched = await gw.admin({ method: 'PATCH', url: `/admin/merchants/${existing.merchant}`, payload: { rsa_public_key: key } })
    for (const [how, res] of [['POST', created], ['PATCH', patched]] as const) {
      t.equal(res.statusCode, 400, `${how} ${name}: ${res.body}`)
      t.same([res.json().error.code, res.json().error.field], ['PAYLAB_RSA_KEY_INVALID', 'rsa_public_key'], `${how} ${name}`)
      const keyText = key.split('\n')[1] ?? ''
      if (keyText.length > 20) t.notMatch(res.body, keyText, `${how} ${name}: the key is not echoed`)
    }
    if (/PRIVATE/.test(key)) t.match(created.json().error.message, 'private key', `${name}: the message says why`)
  }
  t.equal(gw.engine.listMerchants().data.find((m) => m.id === 'm-refused'), undefined, 'no merchant was created')
  const listed = await gw.admin({ method: 'GET', url: '/admin/merchants' })
  t.notMatch(listed.body, 'PRIVATE')
  t.notMatch(listed.body, secretPart(pkcs8Private))
  t.equal(gw.engine.merchant(existing.merchant).rsa_public_key, null, 'the merchant is unchanged')
})

t.test('SPKI and PKCS#1 public keys are taken, shown back, and verify RSA-SHA256 requests', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  for (const [name, key, given] of [['SPKI', spki, spki], ['PKCS#1', pkcs1, pkcs1], ['with explanatory text around it', spki, `A note on the key\n\n${spki}MIIEvQ-like text after it\n`]]) {
    const created = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { rsa_public_key: given } })
    t.equal(created.statusCode, 201, `${name}: ${created.body}`)
    t.equal(created.json().rsa_public_key, key, `${name}: the PEM block is kept and shown, nothing around it`)
    const res = await gw.signed({ method: 'GET', path: '/v1/payments', type: 'RSA-SHA256' }, { merchant: created.json().id, privateKeyPem: pkcs8Private })
    t.equal(res.statusCode, 200, `${name}: ${res.body}`)
  }
})

t.test('a private key stored by an older version is reduced to its public half on start', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'paylab-rsa-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const first = await buildGateway({ dataDir, crypto: testCrypto })
  const demo = first.engine.merchant('demo')
  await first.app.close()
  // The record as an older version stored it, put in the data dir through its store with no
  // gateway running (no version of the gateway takes it through its API any more).
  const db = await Db.open(new JournalStore(dataDir))
  db.put('merchants', 'demo', { ...demo, rsa_public_key: pkcs8Private })
  await db.commit()
  await db.close()

  const second = await buildGateway({ dataDir, crypto: testCrypto })
  t.teardown(() => second.app.close())
  const listed = await second.app.inject({ method: 'GET', url: '/admin/merchants', headers: { authorization: `Bearer ${second.engine.adminToken}` } })
  t.notMatch(listed.body, 'PRIVATE')
  t.notMatch(listed.body, secretPart(pkcs8Private))
  t.equal(second.engine.merchant('demo').rsa_public_key, spki, 'the public half is kept')
  const { headers } = signRequest({ merchant: 'demo', privateKeyPem: pkcs8Private }, { method: 'GET', path: '/v1/payments', type: 'RSA-SHA256' })
  const res = await second.app.inject({ method: 'GET', url: '/v1/payments', headers })
  t.equal(res.statusCode, 200, `RSA signing still works: ${res.body}`)
})
