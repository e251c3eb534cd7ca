// Bad cards: plaintext where an envelope is required, envelopes that do not open, numbers that
// fail the Luhn check, expired cards. Each is a 4xx with its own code and stores nothing.
import t from 'tap'
import { PAYLAB_ONLY, sharedGateway, build, orderId, type TestGateway } from '../helpers/build.js'
import { card, encryptCard } from '../helpers/envelope.js'
import { refused, type Refusal } from '../helpers/rejections.js'

// One gateway for the file; each test is a merchant of its own on it (helpers/build.ts).
const gateway = sharedGateway(PAYLAB_ONLY)

type Body = Record<string, unknown>
const thisYear = new Date().getUTCFullYear()
const plainCard = (extra: Body = {}): Body => ({ number: '4242424242424242', exp_month: 12, exp_year: thisYear + 3, cvc: '123', ...extra })
const withCard = (cardObject: Body): Body => ({ merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'card', card: cardObject } })
const activeKey = (gw: TestGateway) => gw.engine.keys().data[0] as { id: string, public_key: string }
const envelope = (gw: TestGateway, value: unknown = card('4242424242424242')) => encryptCard(activeKey(gw), value)

const invalid = (field: string): Refusal => ({ status: 400, code: 'PAYLAB_VALIDATION_FAILED', field })
const undecryptable = (field = 'method.card.encrypted'): Refusal => ({ status: 400, code: 'PAYLAB_CARD_ENCRYPTION_INVALID', field })
const badNumber: Refusal = { status: 400, code: 'PAYLAB_CARD_NUMBER_INVALID', field: 'card.number' }

const post = (gw: TestGateway, body: Body) => () => gw.signed({ method: 'POST', path: '/v1/payments', body })

t.test('cards the default gateway refuses', async (t) => {
  const gw = await gateway(t)
  const cases: Array<[string, () => Body, Refusal]> = [
    ['a plaintext card', () => withCard(plainCard()), { status: 400, code: 'PAYLAB_CARD_PLAINTEXT_REFUSED', field: 'method.card' }],
    ['an empty card object', () => withCard({}), { status: 400, code: 'PAYLAB_CARD_PLAINTEXT_REFUSED', field: 'method.card' }],
    ['method.type card without a card', () => ({ ...withCard({}), method: { type: 'card' } }), invalid('method.card')],
    ['garbage in every envelope field', () => withCard({ encrypted: { ...envelope(gw), encrypted_key: 'bm90IGEga2V5', iv: '!!', ciphertext: 'garbage', tag: 'x' } }), undecryptable()],
    ['an envelope with a tampered tag', () => {
      const env = envelope(gw)
      const tag = Buffer.from(env.tag, 'base64')
      tag[0] = (tag[0] as number) ^ 1
      return withCard({ encrypted: { ...env, tag: tag.toString('base64') } })
    }, undecryptable()],
    ['an envelope for an unknown key_id', () => withCard({ encrypted: { ...envelope(gw), key_id: 'key_NotAGatewayKey' } }), undecryptable('method.card.encrypted.key_id')],
    ['an envelope with another alg', () => withCard({ encrypted: { ...envelope(gw), alg: 'RSA1_5+A128CBC' } }), invalid('method.card.encrypted.alg')],
    ['an envelope without its tag', () => {
      const { tag: _tag, ...rest } = envelope(gw)
      return withCard({ encrypted: rest })
    }, invalid('method.card.encrypted.tag')],
    ['an envelope field that is not a string', () => withCard({ encrypted: { ...envelope(gw), iv: 12 } }), invalid('method.card.encrypted.iv')],
    ['an envelope whose content is a JSON string', () => withCard({ encrypted: envelope(gw, '4242424242424242') }), undecryptable()],
    ['Luhn failure 4242424242424241', () => withCard({ encrypted: envelope(gw, card('4242424242424241')) }), badNumber],
    ['a number with letters', () => withCard({ encrypted: envelope(gw, card('4242abcd42424242')) }), badNumber],
    ['a number of 11 digits', () => withCard({ encrypted: envelope(gw, card('42424242426')) }), badNumber],
    ['a number sent as a JSON number', () => withCard({ encrypted: envelope(gw, { ...card('0'), number: 4242424242424242 }) }), invalid('card.number')],
    ['an expired card', () => withCard({ encrypted: envelope(gw, card('4242424242424242', { exp_month: 1, exp_year: thisYear - 1 })) }), { status: 400, code: 'PAYLAB_CARD_EXPIRY_INVALID', field: 'card.exp_year' }],
    ['exp_month 13', () => withCard({ encrypted: envelope(gw, card('4242424242424242', { exp_month: 13 })) }), { status: 400, code: 'PAYLAB_CARD_EXPIRY_INVALID', field: 'card.exp_month' }],
    ['a cvc of letters', () => withCard({ encrypted: envelope(gw, card('4242424242424242', { cvc: 'abc' })) }), invalid('card.cvc')]
  ]
  for (const [name, body, expected] of cases) await t.test(name, (t) => refused(t, gw, post(gw, body()), expected))
})

t.test('a Luhn failure says incorrect_number and never echoes the number', async (t) => {
  const gw = await gateway(t)
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424241') })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.decline_code, 'incorrect_number')
  t.notMatch(res.body, /4242424242424241/)
})

t.test('with plaintext cards allowed, bad plaintext cards are still refused', async (t) => {
  const gw = await build(t, { ...PAYLAB_ONLY, config: { allowPlaintextCards: true } })
  const cases: Array<[string, Body, Refusal]> = [
    ['Luhn failure 4242424242424241', plainCard({ number: '4242424242424241' }), badNumber],
    ['an expired card', plainCard({ exp_month: 1, exp_year: thisYear - 1 }), { status: 400, code: 'PAYLAB_CARD_EXPIRY_INVALID', field: 'card.exp_year' }],
    ['exp_month as a string', plainCard({ exp_month: '12' }), invalid('method.card.exp_month')],
    ['a cvc of 5 characters', plainCard({ cvc: '12345' }), invalid('method.card.cvc')],
    ['a card without a number', { exp_month: 12, exp_year: thisYear + 1, cvc: '123' }, invalid('card.number')]
  ]
  for (const [name, cardObject, expected] of cases) await t.test(name, (t) => refused(t, gw, post(gw, withCard(cardObject)), expected))

  const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: withCard(plainCard()) })
  t.equal(res.statusCode, 201, 'a good plaintext card is accepted on this gateway')
  t.notMatch(res.body, /4242424242424242/)
})
