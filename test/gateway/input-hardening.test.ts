// Smaller input faults of issue #12 (item 6): a card envelope that opens to something other than
// a JSON object, a return_url with credentials, a body that is not UTF-8, and secrets in a query
// string reaching the request log or the journal.
import t from 'tap'
import { createHmac } from 'node:crypto'
import { build, orderId, PAYLAB_ONLY } from '../helpers/build.js'
import { encryptCard } from '../helpers/envelope.js'

t.test('a card envelope that decrypts to JSON other than an object is PAYLAB_CARD_ENCRYPTION_INVALID', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const key = gw.engine.keys().data[0] as { id: string, public_key: string }
  for (const content of [['4242424242424242', 12, 2040, '123'], '4242424242424242', 4242424242424242, null, true]) {
    const res = await gw.signed({
      method: 'POST',
      path: '/v1/payments',
      body: { merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'card', card: { encrypted: encryptCard(key, content) } } }
    })
    t.equal(res.statusCode, 400, `${JSON.stringify(content)}: ${res.body}`)
    t.same([res.json().error.code, res.json().error.field], ['PAYLAB_CARD_ENCRYPTION_INVALID', 'method.card.encrypted'], JSON.stringify(content))
  }
  t.equal(gw.engine.storedCounts().payments, 0, 'no payment was created')
})

t.test('a return_url with a user name or password is refused like a notify_url', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  for (const returnUrl of ['https://user:pass@shop.example/back', 'https://user@shop.example/back', 'https://:pass@shop.example/back']) {
    const res = await gw.signed({
      method: 'POST',
      path: '/v1/payments',
      body: { merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'wallet', wallet: { provider: 'alipay' } }, return_url: returnUrl }
    })
    t.equal(res.statusCode, 400, `${returnUrl}: ${res.body}`)
    t.same([res.json().error.code, res.json().error.field], ['PAYLAB_NOTIFY_URL_NOT_ALLOWED', 'return_url'], returnUrl)
    t.notMatch(res.body, 'pass@', 'the credentials are not echoed')
  }
  t.equal(gw.engine.storedCounts().payments, 0, 'no payment was created')
  const plain = await gw.signed({
    method: 'POST',
    path: '/v1/payments',
    body: { merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'wallet', wallet: { provider: 'alipay' } }, return_url: 'https://shop.example/back?x=1' }
  })
  t.equal(plain.statusCode, 201, 'an ordinary return_url is taken')
})

t.test('a JSON body that is not valid UTF-8 is 400 PAYLAB_MALFORMED_JSON, not decoded with U+FFFD', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const bad = (json: string): Buffer => Buffer.concat([Buffer.from(json.split('@')[0] as string), Buffer.from([0xff, 0xfe]), Buffer.from(json.split('@')[1] as string)])
  const merchant = await gw.admin({ method: 'POST', url: '/admin/merchants', headers: { 'content-type': 'application/json' }, payload: bad('{"id":"utf8-shop","name":"Caf@"}') })
  t.equal(merchant.statusCode, 400, merchant.body)
  t.same([merchant.json().error.code, merchant.json().error.field], ['PAYLAB_MALFORMED_JSON', 'body'])
  t.match(merchant.json().error.message, 'UTF-8')
  t.equal(gw.engine.listMerchants().data.find((m) => m.id === 'utf8-shop'), undefined, 'no merchant was created')

  const body = bad(`{"user_id": "u-1", "order_id": "${orderId()}@", "amount": 10.0, "currency": "USD"}`)
  const signature = createHmac('sha256', 'your-api-key').update(body).digest('hex')
  const pay = await gw.app.inject({ method: 'POST', url: '/pay', headers: { 'content-type': 'application/json', signature }, payload: body })
  t.equal(pay.statusCode, 400, pay.body)
  t.same([pay.json().status, pay.json().code], ['failed', 'PAYLAB_MALFORMED_JSON'], '/pay answers in its own shape')
  // An overlong encoding of '"' and a lone surrogate half are invalid UTF-8 too.
  for (const bytes of [[0xc0, 0xa2], [0xed, 0xa0, 0x80]]) {
    const res = await gw.admin({ method: 'POST', url: '/admin/merchants', headers: { 'content-type': 'application/json' }, payload: Buffer.concat([Buffer.from('{"name":"x'), Buffer.from(bytes), Buffer.from('"}')]) })
    t.equal(res.json().error.code, 'PAYLAB_MALFORMED_JSON', bytes.join(' '))
  }
  const fine = await gw.admin({ method: 'POST', url: '/admin/merchants', headers: { 'content-type': 'application/json' }, payload: Buffer.from('{"name":"Café 支付 😀"}') })
  t.equal(fine.statusCode, 201, 'valid multi-byte UTF-8 is taken')
  t.equal(fine.json().name, 'Café 支付 😀')
})

t.test('secret-named query values are redacted in the request log and the journal', async (t) => {
  const lines: string[] = []
  const gw = await build(t, { ...PAYLAB_ONLY, logger: { level: 'info', stream: { write: (line: string) => { lines.push(line) } } } })
  const secret = 'adm_QuerySecretValue123'
  // Refused (the list takes no such parameters), and logged all the same.
  await gw.admin({ method: 'GET', url: `/admin/merchants?admin_token=${secret}&x=visible&Api%5FKey=${secret}2&password=${secret}3` })
  await gw.app.inject({ method: 'GET', url: `/v1/payments?limit=1&access_token=${secret}4` })
  const log = lines.join('\n')
  t.match(log, '/admin/merchants?admin_token=[redacted]&x=visible&Api%5FKey=[redacted]&password=[redacted]', 'the URL is logged with the values redacted')
  t.match(log, '/v1/payments?limit=1&access_token=[redacted]')
  t.notMatch(log, secret, 'no secret value in the log')
  const journal = await gw.admin({ method: 'GET', url: '/admin/journal' })
  t.equal(journal.statusCode, 200, journal.body)
  t.match(journal.body, 'limit=1&access_token=[redacted]', 'the journal keeps the query, redacted')
  t.notMatch(journal.body, secret, 'no secret value in the journal')
})
