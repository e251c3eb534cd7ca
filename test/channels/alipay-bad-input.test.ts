// What the Alipay profile answers to requests that are wrong: each refusal has Alipay's code and
// a message that says what to fix, and none is a 500. Raw HTTP through inject: no SDK sends these.
import t from 'tap'
import { createSign, randomUUID } from 'node:crypto'
import { build } from '../helpers/build.js'
import { appKeyPair } from './alipay-helpers.js'

const keys = appKeyPair()
const rsa2 = (content: string): string => createSign('RSA-SHA256').update(content, 'utf8').sign(keys.privateKey, 'base64')
const sorted = (p: Record<string, string>, omitEmpty = true): string =>
  Object.keys(p).filter((k) => k !== 'sign' && (!omitEmpty || p[k] !== '')).sort().map((k) => `${k}=${p[k] as string}`).join('&')

t.test('refusals of the Alipay profile', async (t) => {
  const gw = await build(t)
  const created = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: { id: 'ali-bad', channels: { alipay: { app_public_key: keys.publicKey } } } })
  const appId: string = created.json().channels.alipay.app_id
  const common = (extra: Record<string, string> = {}): Record<string, string> => ({ app_id: appId, method: 'alipay.trade.query', charset: 'utf-8', sign_type: 'RSA2', timestamp: '2026-03-01 12:00:00', version: '1.0', ...extra })
  const gateway = async (params: Record<string, string>, { sign = true, body, type = 'application/x-www-form-urlencoded' }: { sign?: boolean, body?: string, type?: string } = {}) => {
    const all = sign ? { ...params, sign: rsa2(sorted(params)) } : params
    const res = await gw.app.inject({ method: 'POST', url: `/gateway.do?${new URLSearchParams(all).toString()}`, headers: { 'content-type': type }, payload: body ?? '' })
    t.equal(res.statusCode, 200, `every v2 answer is a 200: ${res.body.slice(0, 200)}`)
    const key = Object.keys(res.json())[0] as string
    return { key, inner: res.json()[key], signed: typeof res.json().sign === 'string' }
  }

  t.test('OpenAPI v2 common parameters', async (t) => {
    t.match(await gateway({ method: 'alipay.trade.query' }, { sign: false }), { inner: { code: '40001', sub_code: 'isv.missing-app-id' }, signed: false })
    t.match(await gateway({ app_id: appId }, { sign: false }), { key: 'error_response', inner: { code: '40001', sub_code: 'isv.missing-method' }, signed: true })
    t.match(await gateway(common({ app_id: '999999999' })), { inner: { code: '40002', sub_code: 'isv.invalid-app-id' }, signed: false }, 'no key to sign for an unknown app')
    t.match(await gateway(common({ charset: 'GBK' })), { inner: { sub_code: 'isv.invalid-charset' } })
    t.match(await gateway(common(), { sign: false }), { inner: { code: '40001', sub_code: 'isv.missing-signature' } })
    const { sign_type: _t, ...noType } = common()
    t.match(await gateway(noType), { inner: { sub_code: 'isv.missing-signature-type' } })
    t.match(await gateway(common({ sign_type: 'RSA' })), { inner: { sub_code: 'isv.invalid-signature-type', sub_msg: /RSA2/ } })
    const { timestamp: _ts, ...noTime } = common()
    t.match(await gateway(noTime), { inner: { sub_code: 'isv.missing-timestamp' } })
    t.match(await gateway(common({ timestamp: '1700000000' })), { inner: { sub_code: 'isv.invalid-timestamp' } })
    t.match(await gateway(common({ method: 'alipay.trade.nothing' })), { key: 'alipay_trade_nothing_response', inner: { sub_code: 'isv.invalid-method' }, signed: true })
  })

  t.test('biz_content, the body, and the Node SDK\'s signing of empty values', async (t) => {
    const params = common({ biz_content: '{not json' })
    t.match(await gateway(params), { inner: { code: '40002', sub_code: 'isv.invalid-parameter', sub_msg: /not valid JSON/ } })
    t.match(await gateway(common({ biz_content: '[1]' })), { inner: { sub_code: 'isv.invalid-parameter', sub_msg: /JSON object/ } })
    t.match(await gateway(common({ biz_content: '{"out_trade_no":{"$gt":""}}' })), { inner: { code: '40004', sub_code: 'ACQ.INVALID_PARAMETER', sub_msg: /out_trade_no/ } })
    t.match(await gateway(common({ biz_content: '{"__proto__":{"out_trade_no":"x"}}' })), { inner: { sub_code: 'ACQ.INVALID_PARAMETER', sub_msg: /trade_no or out_trade_no is required/ } }, 'no prototype key is read')
    const xml = await gateway(common({ biz_content: '{}' }), { type: 'application/xml', body: '<x/>' })
    t.match(xml, { inner: { sub_code: 'isv.invalid-content-type' } })
    const withEmpty = common({ biz_content: '{"out_trade_no":"none"}', app_auth_token: '' })
    const res = await gw.app.inject({ method: 'POST', url: `/gateway.do?${new URLSearchParams({ ...withEmpty, sign: rsa2(sorted(withEmpty, false)) }).toString()}` })
    t.match(res.json().alipay_trade_query_response, { sub_code: 'ACQ.TRADE_NOT_EXIST' }, 'an empty value signed as the Node SDK signs it is accepted')
    const get = await gw.app.inject({ method: 'GET', url: `/gateway.do?${new URLSearchParams({ ...withEmpty, sign: rsa2(sorted(withEmpty)) }).toString()}` })
    t.match(get.json().alipay_trade_query_response, { sub_code: 'ACQ.TRADE_NOT_EXIST' }, 'everything in the query string (GET) works too')
  })

  t.test('OpenAPI v3 authorization', async (t) => {
    const body = JSON.stringify({ out_trade_no: 'none' })
    const v3 = async (auth: string | undefined, signAs?: string) => {
      const signature = signAs === undefined ? '' : `,sign=${rsa2(`${signAs}\nPOST\n/v3/alipay/trade/query\n${body}\n`)}`
      const res = await gw.app.inject({ method: 'POST', url: '/v3/alipay/trade/query', headers: { 'content-type': 'application/json', ...(auth === undefined ? {} : { authorization: `${auth}${signature}` }) }, payload: body })
      t.not(res.statusCode, 500)
      return { status: res.statusCode, body: res.json(), signed: res.headers['alipay-signature'] !== undefined }
    }
    const auth = (nonce: string, ts: number | string = Date.now()) => `app_id=${appId},nonce=${nonce},timestamp=${ts}`
    t.match(await v3(undefined), { status: 401, body: { code: 'missing-signature' }, signed: false })
    t.match(await v3(`ALIPAY-SHA256withRSA ${auth(randomUUID())}`), { status: 401, body: { code: 'missing-signature' } })
    t.match(await v3('ALIPAY-SHA256withRSA app_id=123456789,nonce=abcdefgh,timestamp=1', 'x'), { status: 401, body: { code: 'invalid-app-id' }, signed: false })
    t.match(await v3(`ALIPAY-SHA256withRSA ${auth('no')}`, auth('no')), { status: 401, body: { code: 'invalid-nonce' }, signed: true }, 'a refusal to a known app is signed')
    t.match(await v3(`ALIPAY-SHA256withRSA ${auth(randomUUID(), '2026')}`, auth('x', '2026')), { status: 401, body: { code: 'invalid-timestamp' } })
    const stale = auth(randomUUID(), Date.now() - 3_600_000)
    t.match(await v3(`ALIPAY-SHA256withRSA ${stale}`, stale), { status: 401, body: { code: 'invalid-timestamp', message: /from the gateway clock/ } })
    const once = auth(randomUUID())
    t.match(await v3(`ALIPAY-SHA256withRSA ${once}`, once), { status: 400, body: { code: 'TRADE_NOT_EXIST' } })
    t.match(await v3(`ALIPAY-SHA256withRSA ${once}`, once), { status: 401, body: { code: 'replayed-nonce' } }, 'a signed request is accepted once')
    const other = auth(randomUUID())
    t.match(await v3(`ALIPAY-SHA256withRSA ${other}`, auth(randomUUID())), { status: 401, body: { code: 'invalid-signature', message: /string paylab verified/ } })
  })

  t.test('the buyer\'s pages and bill links', async (t) => {
    const card = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') })
    const qr = await gw.app.inject({ method: 'GET', url: `/alipay/qr/${card.json().id as string}` })
    t.equal(qr.statusCode, 404, 'a payment made through paylab\'s own API is no Alipay trade')
    t.equal((await gw.app.inject({ method: 'GET', url: '/alipay/return?payment_id=nope' })).statusCode, 404)
    const bill = await gw.app.inject({ method: 'GET', url: `/alipay/bills/${appId}/2026-01-01.csv?expires=1&signature=abc` })
    t.equal(bill.statusCode, 403)
    t.equal((await gw.app.inject({ method: 'GET', url: '/alipay/bills/abc/2026-01-01.csv' })).statusCode, 403)
  })
})
