// Records read from a store share the values they repeat (gateway/engine/records.ts), and sharing
// never changes what a record serializes to.
import t from 'tap'
import { sameValues, Shared } from '../../gateway/engine/records.js'

t.test('equal values read apart become one; different ones stay apart', async (t) => {
  const shared = new Shared()
  const a = JSON.parse('{"type":"wallet","wallet":{"provider":"alipay"}}') as object
  const b = JSON.parse('{"type":"wallet","wallet":{"provider":"alipay"}}') as object
  t.equal(shared.object(a), a)
  t.equal(shared.object(b), a, 'the same JSON: the first object')
  t.not(shared.object({ wallet: { provider: 'alipay' }, type: 'wallet' }), a, 'other key order, other JSON: not the same')
  t.equal(shared.string('{"type":"wallet","wallet":{"provider":"alipay"}}'), '{"type":"wallet","wallet":{"provider":"alipay"}}', 'a string that reads like an object stays a string')
  t.equal(shared.string(null), null)
  const limited = new Shared(1)
  limited.object({ n: 1 })
  const two = { n: 2 }
  t.equal(limited.object(two), two, 'past its limit it keeps no more, and hands back what it is given')
})

t.test('sameValues: like\'s parts where equal, the value\'s own where not, the same JSON either way', async (t) => {
  const like = JSON.parse('{"id":"p1","status":"succeeded","method":{"type":"card"},"metadata":{"10":"x","a":"y"},"list":[1,"two"]}') as Record<string, unknown>
  const same = JSON.parse(JSON.stringify(like)) as unknown
  t.equal(sameValues(same, like), like, 'equal throughout: like itself')
  const changed = JSON.parse(JSON.stringify({ ...like, status: 'authorized' })) as Record<string, unknown>
  const text = JSON.stringify(changed)
  const out = sameValues(changed, like) as Record<string, unknown>
  t.not(out, like)
  t.equal(out.method, like.method, 'an equal part is like\'s')
  t.equal(out.list, like.list)
  t.equal(out.status, 'authorized')
  t.equal(JSON.stringify(out), text, 'and it serializes as before')
  const proto = JSON.parse('{"__proto__":{"x":1},"a":1}') as Record<string, unknown>
  const protoText = JSON.stringify(proto)
  t.equal(JSON.stringify(sameValues(proto, JSON.parse('{"__proto__":{"x":1},"a":2}'))), protoText, 'an own "__proto__" key stays a key')
  t.equal(Object.getPrototypeOf(proto), Object.prototype)
})
