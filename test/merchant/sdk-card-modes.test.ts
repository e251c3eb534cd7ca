// The three ways the SDK's createPayment takes a card: in clear (encrypted by the SDK), as an
// envelope already made elsewhere (the buyer's browser; sent byte for byte as given), and left
// to the buyer on the gateway's hosted cashier.
import t from 'tap'
import { encryptCard, type GatewayKey } from '../../merchant/sdk/index.js'
import { CARD, sharedGatewayBench } from '../helpers/pair.js'
import { PAYLAB_ONLY } from '../helpers/build.js'
import { recordingFetch } from '../helpers/recording-fetch.js'

// One gateway for the file: each test's bench has a merchant, rules and journal of its own on it.
const bench = sharedGatewayBench(PAYLAB_ONLY)

const sentCards = (rec: ReturnType<typeof recordingFetch>) =>
  rec.sent.filter((s) => s.method === 'POST' && s.path === '/v1/payments').map((s) => JSON.parse(s.body).method.card)

t.test('an envelope made elsewhere is sent as it is, and the gateway opens it', async (t) => {
  const b = await bench(t)
  const rec = recordingFetch()
  const client = b.client({ fetch: rec.fetch })
  const key = b.gw.engine.keys().data[0] as GatewayKey
  const envelope = encryptCard({ ...CARD, number: '5555555555554444' }, key)
  const p = await client.createPayment({ merchant_order_id: 'env-1', amount: 1200, currency: 'USD', method: { type: 'card', card: { encrypted: envelope } } })
  t.match(p, { status: 'succeeded', method: { card: { brand: 'mastercard', last4: '4444' } } })
  t.same(sentCards(rec), [{ encrypted: envelope }])
  t.notOk(rec.lines().includes('GET /v1/keys'), 'no key needed: the envelope names its own')
})

t.test('a card in clear is still encrypted by the SDK, never sent in clear', async (t) => {
  const b = await bench(t)
  const rec = recordingFetch()
  await b.client({ fetch: rec.fetch }).createPayment({ merchant_order_id: 'clear-1', amount: 1200, currency: 'USD', method: { type: 'card', card: CARD } })
  const [sent] = sentCards(rec)
  t.same(Object.keys(sent), ['encrypted'])
  t.notMatch(rec.sent.map((s) => s.body).join('\n'), CARD.number)
})

t.test('entry hosted: the payment waits for the buyer at next_action', async (t) => {
  const b = await bench(t)
  const rec = recordingFetch()
  const p = await b.client({ fetch: rec.fetch }).createPayment({
    merchant_order_id: 'hosted-1', amount: 1200, currency: 'USD', method: { type: 'card', card: { entry: 'hosted' } }, return_url: 'https://shop.example/back'
  })
  t.match(p, { status: 'requires_action', method: { type: 'card' }, next_action: { type: 'redirect', url: `${b.gw.engine.config.publicUrl}/cashier/${p.id}` } })
  t.same(sentCards(rec), [{ entry: 'hosted' }])
})
