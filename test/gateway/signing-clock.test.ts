// On a virtual clock, business time moves by hand but signatures stay on real time: a merchant
// (or notification receiver) with an ordinary clock keeps working after hours are skipped.
import t from 'tap'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { build, PAYLAB_ONLY } from '../helpers/build.js'

t.test('after the virtual clock skips a day, real-time requests and answers still verify', async (t) => {
  const clock = new VirtualClock()
  const gw = await build(t, { ...PAYLAB_ONLY, clock })
  const advanced = await gw.admin({ method: 'POST', url: '/admin/clock/advance', payload: { duration: '1d' } })
  t.equal(advanced.statusCode, 200)
  const realNow = Math.floor(Date.now() / 1000)
  const res = await gw.signed({ method: 'GET', path: '/v1/payments', timestamp: realNow })
  t.equal(res.statusCode, 200, 'signed with the real time: accepted')
  t.ok(Math.abs(Number(res.headers['paylab-timestamp']) - realNow) <= 5, 'the answer carries the real time')
  const virtualNow = Math.floor(clock.now() / 1000)
  t.ok(virtualNow - realNow > 86_000, 'the business clock is a day ahead')
  const byVirtual = await gw.signed({ method: 'GET', path: '/v1/payments', timestamp: virtualNow })
  t.equal(byVirtual.statusCode, 200, 'signed with the virtual time (GET /admin/clock): accepted too')
  const stale = await gw.signed({ method: 'GET', path: '/v1/payments', timestamp: realNow - 3600 })
  t.match(stale.json().error, { code: 'PAYLAB_TIMESTAMP_OUT_OF_RANGE', gateway_time: Number, virtual_time: virtualNow })
})

t.test('a non-virtual injected clock is the signing clock too', async (t) => {
  const fixed = 1_767_225_600_000
  const gw = await build(t, { ...PAYLAB_ONLY, clock: { now: () => fixed } })
  const res = await gw.signed({ method: 'GET', path: '/v1/payments', timestamp: fixed / 1000 })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['paylab-timestamp'], String(fixed / 1000))
})
