// The fixed vectors of docs/channels/alipay.md (computed with openssl alone by
// docs/vectors/make-alipay-vectors.sh): paylab's signing makes the same strings and signatures,
// the gateway accepts the request, and alipay-sdk verifies the answer and the notification.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createPublicKey, createPrivateKey } from 'node:crypto'
import { AlipaySdk } from 'alipay-sdk'
import { nodeCrypto } from '../../gateway/engine/crypto.js'
import { contentToSign, rsa2Sign, v2Answer } from '../../gateway/channels/alipay/sign.js'
import { alipayGateway } from './alipay-helpers.js'

const doc = readFileSync(new URL('../../docs/channels/alipay.md', import.meta.url), 'utf8')
const vector = (name: string): string => {
  const m = new RegExp('```\\w+ alipay-vector:' + name + '\\n([^\\n]*)\\n```').exec(doc)
  if (m === null) throw new Error(`docs/channels/alipay.md has no vector ${name}`)
  return m[1] as string
}
const pem = (file: string): string => readFileSync(new URL(`../../docs/vectors/${file}`, import.meta.url), 'utf8')
const appPrivate = pem('test-only-rsa-private.pem')
const alipayPrivate = pem('alipay-test-only-rsa-private.pem')
const publicOf = (key: string): string => createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'pem' }).toString()
const fromString = (s: string): Map<string, string> => new Map(s.split('&').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))

t.test('request vector: the sorted string and its RSA2 signature', async (t) => {
  const string = vector('request-string')
  const params = fromString(string)
  params.set('sign', 'ignored')
  params.set('empty', '')
  t.equal(contentToSign(params, ['sign']), string, 'sorted, sign and empty values left out')
  t.equal(rsa2Sign(nodeCrypto, appPrivate, string), vector('request-sign'))

  const gw = await alipayGateway(t)
  const created = await gw.admin('POST', '/admin/merchants', { id: 'vectors', channels: { alipay: { app_id: '2021000122671080', app_public_key: publicOf(appPrivate) } } })
  t.equal(created.statusCode, 201, created.body)
  const query = new URLSearchParams([...fromString(string)].filter(([k]) => k !== 'biz_content'))
  query.set('sign', vector('request-sign'))
  const res = await fetch(`${gw.base}/gateway.do?${query}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ biz_content: fromString(string).get('biz_content') as string }) })
  t.match(await res.json(), { alipay_trade_query_response: { code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' } }, 'the gateway accepts the signature (the trade does not exist)')
})

t.test('answer vector: signed over the inner object, verified by alipay-sdk', async (t) => {
  const answer = vector('answer')
  const inner = /^\{"alipay_trade_query_response":(\{.*\}),"sign":"[^"]+"\}$/.exec(answer)?.[1] as string
  const sign = JSON.parse(answer).sign as string
  t.equal(rsa2Sign(nodeCrypto, alipayPrivate, inner), sign)
  t.equal(v2Answer('alipay_trade_query_response', inner, sign), answer, 'paylab lays the answer out byte for byte')
  const sdk = new AlipaySdk({ appId: '2021000122671080', privateKey: appPrivate, alipayPublicKey: publicOf(alipayPrivate) })
  t.doesNotThrow(() => { sdk.checkResponseSign(answer, 'alipay_trade_query_response', sign, 'vector') })
  t.throws(() => { sdk.checkResponseSign(answer.replace('88.88', '88.89'), 'alipay_trade_query_response', sign, 'vector') })
})

t.test('notification vector: sorted without sign and sign_type, verified by alipay-sdk', async (t) => {
  const string = vector('notify-string')
  const sign = vector('notify-sign')
  const form = new Map([...fromString(string), ['sign_type', 'RSA2'], ['sign', sign]])
  t.equal(contentToSign(form, ['sign', 'sign_type']), string)
  t.equal(rsa2Sign(nodeCrypto, alipayPrivate, string), sign)
  const sdk = new AlipaySdk({ appId: '2021000122671080', privateKey: appPrivate, alipayPublicKey: publicOf(alipayPrivate) })
  t.ok(sdk.checkNotifySignV2(Object.fromEntries(form)))
})
