// Transport faults asked for by magic amount, for clients that cannot send a header (the source
// document's /pay client, a wallet button): each amount of FAULT_AMOUNTS gets its fault on the
// socket and commits exactly when the fault does.
import t from 'tap'
import { FAULT_AMOUNTS, FAULT_NAMES, FAULTS, formatFault, type FaultSpec } from '../../gateway/engine/faults.js'
import { MAGIC_AMOUNTS } from '../../gateway/engine/outcomes.js'
import { orderId, PAYLAB_ONLY } from '../helpers/build.js'
import { live, methodPayment, type Exchange, type LiveGateway } from '../helpers/live.js'

/** What a client sees of each fault, in broad strokes. */
function seen (spec: FaultSpec, out: Exchange): string {
  if (!out.ok) return out.error.code === 'CLIENT_TIMEOUT' ? 'client timeout' : out.error.syscall === 'read' ? 'reset' : 'closed'
  return String(out.status)
}

const EXPECTED_SIGHT: Record<string, string> = {
  delay: '201', slow_body: '201', timeout_not_processed: 'client timeout', response_lost: 'closed', connection_reset: 'reset',
  empty_response: 'closed', http_500: '500', http_502: '502', http_503: '503', http_429: '429', malformed_body: '201',
  bad_signature: '201', unknown_key: '201', stale_timestamp: '201'
}

async function journalOf (gw: LiveGateway, order: string): Promise<any> {
  const res = await gw.admin({ method: 'GET', url: '/admin/journal?path=/v1/payments&merchant_id=demo&limit=1000' })
  return res.json().data.find((e: any) => e.merchant_order_id === order)
}

t.test('every fault has an amount, none shared with a business outcome', async (t) => {
  t.same([...new Set(Object.values(FAULT_AMOUNTS).map((f) => f.name))].sort(), [...FAULT_NAMES].sort())
  for (const amount of Object.keys(FAULT_AMOUNTS)) t.notOk(Object.hasOwn(MAGIC_AMOUNTS, amount), `${amount} is only a fault`)
  for (const [amount, spec] of Object.entries(FAULT_AMOUNTS)) t.ok(spec.value <= FAULTS[spec.name].max, `${amount}: a valid parameter`)
})

t.test('each fault amount on a wallet create: its fault on the wire, committed only when the fault commits', async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  const runs = await Promise.all(Object.entries(FAULT_AMOUNTS).map(async ([amount, spec]) => {
    const body = methodPayment('wallet', Number(amount))
    // The client gives up on the 30 s hold after 1 s; every other answer it waits for, however
    // loaded the machine (the 2 s delay and the slow body need well over 2 s there).
    const out = await gw.call({ method: 'POST', path: '/v1/payments', body, timeoutMs: spec.name === 'timeout_not_processed' ? 1000 : 15_000 })
    return { amount, spec, out, order: body.merchant_order_id as string }
  }))
  for (const { amount, spec, out, order } of runs) {
    t.equal(seen(spec, out), EXPECTED_SIGHT[spec.name], `${amount} ${spec.name}: on the wire`)
    const entry = await journalOf(gw, order)
    t.equal(entry?.fault, formatFault(spec), `${amount}: the journal names the fault`)
    const found = await gw.answer({ method: 'GET', path: `/v1/payments/order/${order}` })
    t.equal(found.status, FAULTS[spec.name].committed ? 200 : 404, `${amount} ${spec.name}: committed ${String(FAULTS[spec.name].committed)}`)
  }
  const delayed = runs.find((r) => r.spec.name === 'delay')
  t.ok(delayed !== undefined && delayed.out.ms >= 1900, 'the amount delay is its default 2 s')
})

t.test('fault amounts apply to creates only: a refund of such an amount is a plain refund', async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  const paid = await gw.create(gw.cardPayment('4242424242424242', { amount: 90000 }))
  const refund = await gw.answer({ method: 'POST', path: `/v1/payments/${paid.id}/refunds`, body: { amount: 50005, merchant_refund_id: orderId() } })
  t.equal(refund.status, 201, `a refund of 50005 is a refund (${refund.text})`)
})

t.test('/pay: fault amounts in major units reach the same faults', async (t) => {
  const gw = await live(t, PAYLAB_ONLY)
  const pay = (amount: number) => gw.pay({ user_id: 'u-1', order_id: orderId(), amount, currency: 'USD' })
  const reset = await pay(500.05)
  t.ok(!reset.ok && reset.error.syscall === 'read' && reset.error.code === 'ECONNRESET', '500.05: a TCP reset')
  const lost = await pay(500.04)
  t.ok(!lost.ok, '500.04: no answer')
  t.equal(gw.engine.storedCounts().payments, 1, '500.04: the lost answer was committed, the reset was not')
  const busy = await pay(505.03)
  t.ok(busy.ok && busy.status === 503 && busy.headers['retry-after'] === '1', '505.03: 503 with Retry-After')
  t.same(busy.ok && [busy.json().status, busy.json().code], ['failed', 'PAYLAB_SIMULATED_FAULT'], 'in the /pay answer shape')
  const badSig = await pay(500.08)
  t.ok(badSig.ok && badSig.json().status === 'success', '500.08: the payment went through')
  const { createHmac } = await import('node:crypto')
  t.not(badSig.ok && badSig.headers.signature, badSig.ok && createHmac('sha256', 'your-api-key').update(badSig.body).digest('hex'),
    '500.08: but the Signature header is wrong')
})
