// Rotating the gateway key: the new key signs RSA answers at once, the old one stays listed as
// `retiring` and still opens the card envelopes made for it.
import t from 'tap'
import { build, PAYLAB_ONLY } from '../helpers/build.js'
import { distinctKeysCrypto } from '../helpers/fixture-keys.js'
import { card, encryptCard } from '../helpers/envelope.js'
import { answerVerifies } from '../helpers/signer.js'
import { vectorKeys } from '../helpers/vectors.js'

t.test('after POST /admin/keys/rotate the old key is retiring and answers name the new one', async (t) => {
  // Keys that differ (published test ones): the shared test key pair would make the old and new keys identical.
  const gw = await build(t, { ...PAYLAB_ONLY, crypto: distinctKeysCrypto() })
  const created = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'rsa-shop', rsa_public_key: vectorKeys.publicKeyPem } })
  t.equal(created.statusCode, 201)
  const rsa = { merchant: 'rsa-shop', privateKeyPem: vectorKeys.privateKeyPem }
  const listKeys = () => gw.signed({ method: 'GET', path: '/v1/keys', type: 'RSA-SHA256' }, rsa)

  const before = await listKeys()
  t.equal(before.statusCode, 200)
  const [old] = before.json().data
  t.match(before.json().data, [{ status: 'active', algorithm: 'RSA', public_key: /^-----BEGIN PUBLIC KEY-----/ }])
  t.equal(before.headers['paylab-key-id'], old.id)
  t.notMatch(before.body, /PRIVATE KEY/)
  const envelope = encryptCard(old, card('4242424242424242'))

  t.equal((await gw.app.inject({ method: 'POST', url: '/admin/keys/rotate' })).json().error.code, 'PAYLAB_ADMIN_UNAUTHORIZED')
  const rotated = await gw.admin({ method: 'POST', url: '/admin/keys/rotate' })
  t.equal(rotated.statusCode, 200)
  const fresh = rotated.json()
  t.match(fresh, { status: 'active', algorithm: 'RSA' })
  t.not(fresh.id, old.id)
  t.not(fresh.public_key, old.public_key)

  const after = await listKeys()
  t.same(after.json().data.map((k: { id: string, status: string }) => [k.id, k.status]), [[fresh.id, 'active'], [old.id, 'retiring']])
  t.equal(after.headers['paylab-key-id'], fresh.id, 'answers name the new key')
  t.ok(answerVerifies(after.headers, after.body, { publicKeyPem: fresh.public_key }))
  t.notOk(answerVerifies(after.headers, after.body, { publicKeyPem: old.public_key }), 'and are not signed with the old one')

  const body = { merchant_order_id: 'rotated-1', amount: 1999, currency: 'USD', method: { type: 'card', card: { encrypted: envelope } } }
  const paid = await gw.signed({ method: 'POST', path: '/v1/payments', body })
  t.equal(paid.statusCode, 201, paid.body)
  t.match(paid.json(), { status: 'succeeded', method: { card: { last4: '4242' } } }, 'an envelope for the retiring key still opens')
})
