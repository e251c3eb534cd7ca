// No card number or CVC reaches the data dir: not in the journal, not in the snapshot, whether the
// card came encrypted or (with --allow-plaintext-cards) in clear, accepted or declined.
import t from 'tap'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, orderId } from '../helpers/build.js'

t.test('the data dir holds no card number and no CVC', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'paylab-cards-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const gw = await build(t, { memory: false, dataDir, config: { allowPlaintextCards: true } })
  const year = new Date().getUTCFullYear() + 3
  // A card that succeeds and one that is declined (insufficient funds), each encrypted and in clear.
  const numbers = ['4242424242424242', '4000000000009995']
  for (const number of numbers) {
    const encrypted = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment(number, {}, { cvc: '737' }) })
    t.equal(encrypted.statusCode, 201, encrypted.body)
    const plain = await gw.signed({ method: 'POST', path: '/v1/payments', body: { merchant_order_id: orderId(), amount: 1999, currency: 'USD', method: { type: 'card', card: { number, exp_month: 12, exp_year: year, cvc: '737' } } } })
    t.equal(plain.statusCode, 201, plain.body)
  }
  const read = async (): Promise<string> => (await Promise.all((await readdir(dataDir)).map((f) => readFile(join(dataDir, f), 'utf8')))).join('\n')
  const check = (text: string, where: string): void => {
    t.match(text, /"last4":"4242"/, `${where}: the payments are there`)
    for (const number of numbers) t.notOk(text.includes(number), `${where}: no ${number}`)
    t.notOk(/"cvc"|"737"/.test(text), `${where}: no CVC (field or value)`)
  }
  check(await read(), 'the journal')
  await gw.app.close() // compacts: the snapshot is written from the tables
  check(await read(), 'the snapshot')
})
