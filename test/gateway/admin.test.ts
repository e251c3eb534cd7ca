// The admin merchants API: the bearer token guards it, a merchant's HMAC secret is shown only
// when it is made, and what an operator changes is what the merchant then signs with.
import t from 'tap'
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { PAYLAB_ONLY, sharedGateway, type TestGateway } from '../helpers/build.js'
import { addMerchant } from '../helpers/merchants.js'
import { answerVerifies, type Credentials } from '../helpers/signer.js'
import { vectorKeys } from '../helpers/vectors.js'

// One gateway for the file; its merchants' ids are the tests' own (shop-1, shop-dup, intruder).
const gateway = sharedGateway(PAYLAB_ONLY)

const list = (gw: TestGateway, creds: Credentials) => gw.signed({ method: 'GET', path: '/v1/payments?limit=1' }, creds)

t.test('no token, a wrong token or a disguised path is 401 PAYLAB_ADMIN_UNAUTHORIZED', async (t) => {
  const gw = await gateway(t)
  const tries = [
    { url: '/admin/merchants', headers: {} },
    { url: '/admin/merchants', headers: { authorization: 'Bearer wrong-token' } },
    { url: '/admin/merchants', headers: { authorization: gw.engine.adminToken } },
    { url: '/admin/merchants/demo', headers: { authorization: `Bearer ${gw.engine.adminToken}x` } },
    // The router decodes %61 to "a": the guard must see the route, not the raw URL.
    { url: '/%61dmin/merchants', headers: {} }
  ]
  for (const { url, headers } of tries) {
    const res = await gw.app.inject({ method: 'GET', url, headers })
    t.equal(res.statusCode, 401, `${url} ${JSON.stringify(headers)}`)
    t.equal(res.json().error.code, 'PAYLAB_ADMIN_UNAUTHORIZED')
    t.notMatch(res.body, /hmac_secret/)
  }
  const post = await gw.app.inject({ method: 'POST', url: '/admin/merchants', payload: { id: 'intruder' } })
  t.equal(post.statusCode, 401)
  t.equal((await gw.admin({ method: 'GET', url: '/admin/merchants/intruder' })).statusCode, 404, 'nothing was created')
})

t.test('a created merchant shows its secret once, and signs requests with it', async (t) => {
  const gw = await gateway(t)
  const res = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'shop-1', name: 'Shop One' } })
  t.equal(res.statusCode, 201, res.body)
  const created = res.json()
  t.equal(created.id, 'shop-1')
  t.equal(created.name, 'Shop One')
  t.type(created.hmac_secret, 'string')
  t.ok(created.hmac_secret.length >= 16, 'the generated secret is long')
  t.equal(created.answer_signature_type, 'HMAC-SHA256')

  const one = await gw.admin({ method: 'GET', url: '/admin/merchants/shop-1' })
  t.equal(one.statusCode, 200)
  t.equal(one.json().name, 'Shop One')
  const all = await gw.admin({ method: 'GET', url: '/admin/merchants' })
  t.ok(all.json().data.some((m: { id: string }) => m.id === 'shop-1'))
  for (const view of [one, all]) {
    t.notOk(view.body.includes(created.hmac_secret), 'get and list never show the secret')
    t.notMatch(view.body, /hmac_secret/)
  }

  const creds = { merchant: 'shop-1', secret: created.hmac_secret }
  const signed = await list(gw, creds)
  t.equal(signed.statusCode, 200, signed.body)
  t.ok(answerVerifies(signed.headers, signed.body, { secret: created.hmac_secret }), 'answers are signed with the new secret')
  const wrong = await list(gw, { merchant: 'shop-1', secret: gw.demo.secret })
  t.equal(wrong.json().error.code, 'PAYLAB_SIGNATURE_INVALID', 'another merchant\'s secret does not work')
})

t.test('a merchant id is taken once', async (t) => {
  const gw = await gateway(t)
  await addMerchant(gw, { id: 'shop-dup' })
  const again = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'shop-dup', name: 'Other' } })
  t.equal(again.statusCode, 409, again.body)
  t.equal(again.json().error.code, 'PAYLAB_MERCHANT_EXISTS')
  const demo = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'demo' } })
  t.equal(demo.statusCode, 409, 'the built-in demo merchant is taken too')
  t.equal((await gw.admin({ method: 'GET', url: '/admin/merchants/shop-dup' })).json().name, 'shop-dup', 'the first one is unchanged')
})

t.test('update name and notify_url; a bad notify_url changes nothing', async (t) => {
  const gw = await gateway(t)
  const { merchant } = await addMerchant(gw, { name: 'Before' })
  const res = await gw.admin({ method: 'PATCH', url: `/admin/merchants/${merchant}`, payload: { name: 'After', notify_url: 'http://shop.localhost:8080/notify' } })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().name, 'After')
  t.equal(res.json().notify_url, 'http://shop.localhost:8080/notify')
  t.notMatch(res.body, /hmac_secret/)

  for (const url of ['ftp://shop.localhost/', 'not a url', 'https://elsewhere.example/notify']) {
    const bad = await gw.admin({ method: 'PATCH', url: `/admin/merchants/${merchant}`, payload: { name: 'Lost', notify_url: url } })
    t.equal(bad.statusCode, 400, `${url}: ${bad.body}`)
    t.equal(bad.json().error.code, 'PAYLAB_NOTIFY_URL_NOT_ALLOWED')
  }
  const now = (await gw.admin({ method: 'GET', url: `/admin/merchants/${merchant}` })).json()
  t.equal(now.name, 'After', 'a rejected update changes no field')
  t.equal(now.notify_url, 'http://shop.localhost:8080/notify')

  const clear = await gw.admin({ method: 'PATCH', url: `/admin/merchants/${merchant}`, payload: { notify_url: null } })
  t.equal(clear.json().notify_url, null)
  const missing = await gw.admin({ method: 'PATCH', url: '/admin/merchants/nobody', payload: { name: 'x' } })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().error.code, 'PAYLAB_MERCHANT_NOT_FOUND')
})

t.test('rsa_public_key must be a PEM RSA key of 2048 bits or more; then RSA-SHA256 works', async (t) => {
  const gw = await gateway(t)
  const creds = await addMerchant(gw)
  const url = `/admin/merchants/${creds.merchant}`
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
  for (const [name, key] of [['garbage', 'not a key'], ['1024 bits', small], ['EC key', ec]] as const) {
    const res = await gw.admin({ method: 'PATCH', url, payload: { rsa_public_key: key } })
    t.equal(res.statusCode, 400, `${name}: ${res.body}`)
    t.equal(res.json().error.code, 'PAYLAB_RSA_KEY_INVALID', name)
  }
  const rsaTry = (privateKeyPem: string) => gw.signed({ method: 'GET', path: '/v1/payments', type: 'RSA-SHA256' }, { merchant: creds.merchant, privateKeyPem })
  // The docs' TEST ONLY merchant key (RSA-2048) rather than one generated here (~0.1-0.5 s of CPU).
  const pair = { privateKey: createPrivateKey(vectorKeys.privateKeyPem), publicKey: createPublicKey(vectorKeys.privateKeyPem) }
  const privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  t.equal((await rsaTry(privateKeyPem)).json().error.code, 'PAYLAB_SIGNATURE_TYPE_UNAVAILABLE', 'no RSA before a key is registered')

  const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const ok = await gw.admin({ method: 'PATCH', url, payload: { rsa_public_key: publicKeyPem } })
  t.equal(ok.statusCode, 200, ok.body)
  t.equal(ok.json().rsa_public_key, publicKeyPem)
  const res = await rsaTry(privateKeyPem)
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.headers['paylab-signature-type'], 'RSA-SHA256')
})

t.test('rotate-secret: the old secret stops working at once, the new one works', async (t) => {
  const gw = await gateway(t)
  const old = await addMerchant(gw)
  t.equal((await list(gw, old)).statusCode, 200)
  const res = await gw.admin({ method: 'POST', url: `/admin/merchants/${old.merchant}/rotate-secret` })
  t.equal(res.statusCode, 200, res.body)
  const secret = res.json().hmac_secret as string
  t.type(secret, 'string')
  t.not(secret, old.secret)

  const stale = await list(gw, old)
  t.equal(stale.statusCode, 401)
  t.equal(stale.json().error.code, 'PAYLAB_SIGNATURE_INVALID')
  const fresh = await list(gw, { merchant: old.merchant, secret })
  t.equal(fresh.statusCode, 200, fresh.body)
  t.ok(answerVerifies(fresh.headers, fresh.body, { secret }))
  t.notOk((await gw.admin({ method: 'GET', url: `/admin/merchants/${old.merchant}` })).body.includes(secret))
})

t.test('answer_signature_type signs answers to requests without a usable type', async (t) => {
  const gw = await gateway(t)
  const creds = await addMerchant(gw, { answer_signature_type: 'RSA-SHA256' })
  const view = await gw.admin({ method: 'GET', url: `/admin/merchants/${creds.merchant}` })
  t.equal(view.json().answer_signature_type, 'RSA-SHA256')
  const gatewayKey = gw.engine.keys().data[0] as { id: string, public_key: string }

  // An unknown Paylab-Signature-Type is rejected; the rejection is signed the merchant's way.
  const bad = await gw.signed({ method: 'GET', path: '/v1/payments', headers: { 'paylab-signature-type': 'MD5' } }, creds)
  t.equal(bad.statusCode, 401)
  t.equal(bad.headers['paylab-signature-type'], 'RSA-SHA256')
  t.equal(bad.headers['paylab-key-id'], gatewayKey.id)
  t.ok(answerVerifies(bad.headers, bad.body, { publicKeyPem: gatewayKey.public_key }))

  // A request that names HMAC-SHA256 is answered in kind, whatever the default.
  const hmac = await list(gw, creds)
  t.equal(hmac.headers['paylab-signature-type'], 'HMAC-SHA256')
  t.ok(answerVerifies(hmac.headers, hmac.body, { secret: creds.secret }))

  const patched = await gw.admin({ method: 'PATCH', url: `/admin/merchants/${creds.merchant}`, payload: { answer_signature_type: 'HMAC-SHA256' } })
  t.equal(patched.json().answer_signature_type, 'HMAC-SHA256')
  const after = await gw.signed({ method: 'GET', path: '/v1/payments', headers: { 'paylab-signature-type': 'MD5' } }, creds)
  t.equal(after.headers['paylab-signature-type'], 'HMAC-SHA256')
  t.ok(answerVerifies(after.headers, after.body, { secret: creds.secret }))
  const invalid = await gw.admin({ method: 'PATCH', url: `/admin/merchants/${creds.merchant}`, payload: { answer_signature_type: 'MD5' } })
  t.equal(invalid.statusCode, 400)
})
