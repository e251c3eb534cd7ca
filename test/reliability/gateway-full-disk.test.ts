// The gateway on a data dir whose disk fills up: a request the store cannot write answers 503
// PAYLAB_STORAGE_UNAVAILABLE with Retry-After, leaves nothing behind (not in memory, not after a
// restart), hands its failure to no later request, and the gateway takes writes again by itself
// once there is space.
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, orderId } from '../helpers/build.js'
import { JournalStore } from '../../gateway/store/journal-store.js'
import { faultyFiles } from '../helpers/faulty-files.js'

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

t.test('a full disk: 503 with Retry-After, nothing visible, nothing kept, and back by itself', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'paylab-full-gw-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const files = faultyFiles()
  const gw = await build(t, { store: new JournalStore(dataDir, { files }) })
  const first = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') })
  t.equal(first.statusCode, 201, first.body)
  const paid = first.json<{ id: string, amount: number }>()

  files.space = 100 // less than a payment's lines: the write tears, then fails
  const body = gw.cardPayment('4242424242424242')
  const order = body.merchant_order_id as string
  const create = () => gw.signed({ method: 'POST', path: '/v1/payments', body, idempotencyKey: `key-${order}` })
  const refused = await create()
  t.equal(refused.statusCode, 503, refused.body)
  t.equal(refused.json().error.code, 'PAYLAB_STORAGE_UNAVAILABLE')
  t.equal(refused.headers['retry-after'], '5')
  t.equal(refused.json().error.retry_after, 5)
  t.match(refused.json().error.message, /disk of the data dir is full/)

  const lookup = await gw.signed({ method: 'GET', path: `/v1/payments/order/${order}` })
  t.equal(lookup.statusCode, 404, 'the refused payment is not visible')
  const again = await create()
  t.equal(again.statusCode, 503, 'a retry while full is refused too, not answered from memory')

  const refund = await gw.signed({ method: 'POST', path: `/v1/payments/${paid.id}/refunds`, body: { merchant_refund_id: orderId() } })
  t.equal(refund.statusCode, 503, refund.body)
  const after = await gw.signed({ method: 'GET', path: `/v1/payments/${paid.id}` })
  t.equal(after.statusCode, 200, 'a read after a refused write is answered: no failure is handed on')
  t.equal(after.json().amount_refunded, 0, 'the refused refund left the payment as it was')
  const refunds = await gw.signed({ method: 'GET', path: `/v1/payments/${paid.id}/refunds` })
  t.same(refunds.json().data, [], 'and no refund')

  files.space = Infinity
  await nextTurn()
  const created = await create()
  t.equal(created.statusCode, 201, 'with space back, the same request is carried out, for the first time')
  t.equal(created.headers['paylab-idempotent-replayed'], undefined)
  const refundNow = await gw.signed({ method: 'POST', path: `/v1/payments/${paid.id}/refunds`, body: { merchant_refund_id: orderId() } })
  t.equal(refundNow.statusCode, 201, refundNow.body)

  // A restart (a second gateway on the folder, as after a crash): exactly what was answered.
  const restarted = await build(t, { memory: false, dataDir })
  const list = await restarted.signed({ method: 'GET', path: '/v1/payments?limit=10' })
  t.same((list.json().data as Array<{ id: string }>).map((p) => p.id).sort(), [paid.id, created.json().id].sort())
  const stored = await restarted.signed({ method: 'GET', path: `/v1/payments/${paid.id}` })
  t.equal(stored.json().amount_refunded, paid.amount, 'the one refund that was answered 201')
})

t.test('a failed fsync: 503 (outcome unknown), the store takes no more writes and says so once', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'paylab-fsync-gw-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const files = faultyFiles()
  const fatal: Error[] = []
  const gw = await build(t, { store: new JournalStore(dataDir, { files, onFatal: (err) => fatal.push(err) }) })
  files.failSync = true
  const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') })
  t.equal(res.statusCode, 503)
  t.match(res.json().error.message, /whether this request was stored is unknown/)
  files.failSync = false
  await nextTurn()
  const next = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242') })
  t.equal(next.statusCode, 503, 'no more writes')
  t.equal(fatal.length, 1)
})
