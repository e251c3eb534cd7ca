// A refusal that the engine answers instead of throwing (a refund over the captured amount, a
// capture of too much: answers kept for Idempotency-Key replays) names its error code in the
// journal, first time and replayed, like every thrown refusal does.
import t from 'tap'
import { build, PAYLAB_ONLY } from '../helpers/build.js'

t.test('engine-answered refusals carry error_code in the journal, replays too', async (t) => {
  const gw = await build(t, PAYLAB_ONLY)
  const paid = (await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { amount: 5000 }) })).json()
  const refund = { method: 'POST', path: `/v1/payments/${paid.id as string}/refunds`, body: { merchant_refund_id: 'r-over', amount: 6000 }, idempotencyKey: 'refund-over-1' }
  const first = await gw.signed(refund)
  const again = await gw.signed(refund)
  t.equal(first.statusCode, 409)
  t.equal(first.json().error.code, 'PAYLAB_REFUND_AMOUNT_EXCEEDED')
  t.equal(again.headers['paylab-idempotent-replayed'], 'true')
  const entries = (await gw.admin({ method: 'GET', url: '/admin/journal?path=/v1/payments/*/refunds' })).json().data
  t.match(entries, [
    { status: 409, idempotency: 'new', error_code: 'PAYLAB_REFUND_AMOUNT_EXCEEDED' },
    { status: 409, idempotency: 'replayed', error_code: 'PAYLAB_REFUND_AMOUNT_EXCEEDED' }
  ])
  const ok = await gw.signed({ method: 'POST', path: `/v1/payments/${paid.id as string}/refunds`, body: { merchant_refund_id: 'r-ok', amount: 100 } })
  t.equal(ok.statusCode, 201)
  const last = (await gw.admin({ method: 'GET', url: '/admin/journal?path=/v1/payments/*/refunds&limit=1' })).json().data[0]
  t.match(last, { status: 201, error_code: null }, 'a success names none')
})
