// channels.alipay on POST/PATCH /admin/merchants: checked, generated when left out, shown once;
// GET shows no secret; the demo merchant has an app from the first start (npm start prints it).
import t from 'tap'
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { build } from '../helpers/build.js'
import { alipayDemoLines } from '../../gateway/channels/alipay/index.js'
import { appKeyPair } from './alipay-helpers.js'

t.test('Alipay merchant credentials', async (t) => {
  const gw = await build(t)
  const keys = appKeyPair()

  const generated = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'ali-gen', channels: { alipay: {} } } })
  t.equal(generated.statusCode, 201, generated.body)
  const shown = generated.json().channels.alipay
  t.match(shown, { app_id: /^2021\d{12}$/, app_private_key: /^-----BEGIN RSA PRIVATE KEY-----/, app_public_key: /^-----BEGIN PUBLIC KEY-----/, alipay_public_key: /^-----BEGIN PUBLIC KEY-----/, seller_id: /^2088\d{12}$/ })
  const probe = Buffer.from('probe')
  t.ok(verify('sha256', probe, createPublicKey(shown.app_public_key), sign('sha256', probe, createPrivateKey(shown.app_private_key))), 'the generated app key pair belongs together')

  const got = await gw.admin({ method: 'GET', url: '/admin/merchants/ali-gen' })
  t.same(Object.keys(got.json().channels.alipay).sort(), ['alipay_public_key', 'app_id', 'app_public_key', 'seller_id'], 'GET shows no private key')
  t.notOk(got.body.includes('PRIVATE KEY'))

  const given = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'ali-own', channels: { alipay: { app_id: '2021000122671080', app_public_key: keys.publicKey.replace(/-----[A-Z ]+-----|\n/g, '') } } } })
  t.equal(given.statusCode, 201, 'the bare base64 key of the Alipay console is taken')
  t.match(given.json().channels.alipay, { app_id: '2021000122671080', app_public_key: keys.publicKey })
  t.notOk('app_private_key' in given.json().channels.alipay)

  const bad = async (alipay: unknown, field: string) => {
    const res = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { channels: { alipay } } })
    t.equal(res.statusCode, 400, res.body)
    t.match(res.json().error, { code: 'PAYLAB_VALIDATION_FAILED', field })
  }
  await bad({ app_id: '2021000122671080' }, 'channels.alipay.app_id')
  await bad({ app_id: 'abc' }, 'channels.alipay.app_id')
  await bad({ app_public_key: 'not a key' }, 'channels.alipay.app_public_key')
  await bad({ private_key: 'x' }, 'channels.alipay.private_key')
  await bad('nope', 'channels.alipay')

  const patched = await gw.admin({ method: 'PATCH', url: '/admin/merchants/ali-own', payload: { channels: { alipay: {} } } })
  t.match(patched.json().channels.alipay, { app_id: '2021000122671080', app_public_key: keys.publicKey, alipay_public_key: given.json().channels.alipay.alipay_public_key }, 'PATCH keeps what it is not given')
  t.notOk('app_private_key' in patched.json().channels.alipay)

  t.test('the demo merchant has an Alipay app for the quick start', async (t) => {
    const demo = await gw.admin({ method: 'GET', url: '/admin/merchants/demo' })
    const appId = demo.json().channels.alipay.app_id as string
    const lines = alipayDemoLines(gw.engine, 'http://127.0.0.1:7400').join('\n')
    t.match(lines, `appId ${appId}`)
    t.match(lines, 'gateway http://127.0.0.1:7400/gateway.do')
    t.match(lines, /BEGIN RSA PRIVATE KEY/, 'its private key is kept, to be printed at every start')
    t.notOk(demo.body.includes('PRIVATE KEY'), 'but never shown by GET')
  })
})
