// A signed request is accepted at most once for as long as its timestamp is acceptable: after a
// restart on the same data dir (a clean one or a crash), under a virtual clock, and at the edge
// of a small window.
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, orderId, type TestGateway } from '../helpers/build.js'
import { signRequest, type SignOptions } from '../helpers/signer.js'
import { VirtualClock, type Clock } from '../../gateway/engine/clock.js'

/** Signs once; every call sends the very same bytes (a captured request played again). */
function captured (gw: TestGateway, opts: SignOptions) {
  const { headers, payload } = signRequest(gw.demo, opts)
  return (target: TestGateway = gw) => target.app.inject({ method: opts.method as 'POST', url: opts.path, headers, payload: payload === '' ? undefined : payload })
}

const dirs: string[] = []
t.teardown(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

t.test('a create and a refund captured before a restart are refused after it', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'paylab-replay-'))
  dirs.push(dataDir)
  const first = await build(t, { memory: false, dataDir })
  const create = captured(first, { method: 'POST', path: '/v1/payments', body: first.cardPayment('4242424242424242') })
  const created = await create()
  t.equal(created.statusCode, 201, created.body)
  const paymentId = created.json().id as string
  const refund = captured(first, { method: 'POST', path: `/v1/payments/${paymentId}/refunds`, body: { merchant_refund_id: orderId(), amount: 100 } })
  t.equal((await refund()).statusCode, 201)
  const read = captured(first, { method: 'GET', path: `/v1/payments/${paymentId}` })
  t.equal((await read()).statusCode, 200)
  t.equal((await read()).json().error.code, 'PAYLAB_REPLAYED_REQUEST', 'a read is refused the second time too, in the same process')

  // A crash: a second gateway opens the folder while the first never closed it.
  const crashed = await build(t, { memory: false, dataDir })
  for (const [name, send] of [['create', create], ['refund', refund]] as const) {
    const res = await send(crashed)
    t.equal(res.statusCode, 401, `${name} after a crash: ${res.body}`)
    t.equal(res.json().error.code, 'PAYLAB_REPLAYED_REQUEST')
  }
  await first.app.close()
  await crashed.app.close()

  const restarted = await build(t, { memory: false, dataDir })
  for (const [name, send] of [['create', create], ['refund', refund]] as const) {
    t.equal((await send(restarted)).json().error?.code, 'PAYLAB_REPLAYED_REQUEST', `${name} after a clean restart`)
  }
  const payment = await restarted.signed({ method: 'GET', path: `/v1/payments/${paymentId}` })
  t.equal(payment.json().amount_refunded, 100, 'refunded once')
})

t.test('under a virtual clock a replay is refused however much real time passes', async (t) => {
  const clock = new VirtualClock()
  const gw = await build(t, { clock, config: { timestampToleranceSec: 2 } })
  clock.advance(3600_000) // the sandbox is an hour ahead; requests signed on its time are accepted
  const send = captured(gw, { method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242'), timestamp: Math.floor(clock.now() / 1000) })
  t.equal((await send()).statusCode, 201)
  // Real time moves on (the signing clock of a virtual sandbox); the virtual clock stands still.
  const realNow = Date.now
  const start = realNow()
  t.teardown(() => { Date.now = realNow })
  for (const seconds of [1, 5, 60]) {
    Date.now = () => start + seconds * 1000
    const res = await send()
    t.equal(res.json().error.code, 'PAYLAB_REPLAYED_REQUEST', `${seconds} s later`)
  }
})

t.test('at the edges of a small window the nonce is kept as long as the timestamp is accepted', async (t) => {
  let now = Math.floor(Date.now() / 1000) * 1000 // the start of a second: the timestamps stay inside the longest
  const clock: Clock = { now: () => now }
  const gw = await build(t, { clock, config: { timestampToleranceSec: 2 } })
  const nowSec = Math.floor(now / 1000)
  for (const [edge, timestamp] of [['future', nowSec + 2], ['past', nowSec - 2]] as const) {
    const send = captured(gw, { method: 'GET', path: '/v1/payments?limit=1', timestamp, nonce: `edge-${edge}-${'n'.repeat(16)}` })
    const start = now
    t.equal((await send()).statusCode, 200, `${edge} edge accepted`)
    // Every later moment at which the timestamp is still inside the window refuses the replay.
    for (let ms = 1; ; ms += 250) {
      now = start + ms
      const res = await send()
      const code = res.json().error.code as string
      if (code === 'PAYLAB_TIMESTAMP_OUT_OF_RANGE') { t.ok(ms > 1, `${edge}: out of the window after ${ms} ms`); break }
      t.equal(code, 'PAYLAB_REPLAYED_REQUEST', `${edge} edge, ${ms} ms later`)
    }
    t.ok(now - start > (edge === 'future' ? 4000 : 0), `${edge}: the whole window was covered`)
    now = start
  }
})
