// The nonce cache (gateway/engine/nonces.ts) against a plain model: a key is refused while its
// timestamp can still be accepted, and forgotten (accepted again) once the horizon passes it.
import t from 'tap'
import { NonceCache } from '../../gateway/engine/nonces.js'

t.test('remembers each key until the horizon passes its timestamp, in any order of timestamps', async (t) => {
  const cache = new NonceCache()
  const model = new Map<string, number>()
  // A fixed pseudo-random sequence: timestamps out of order, repeated keys, a moving horizon.
  let seed = 7
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  let horizon = 0
  let refused = 0
  let forgotten = 0
  for (let i = 0; i < 5000; i++) {
    if (rand(10) === 0) horizon += rand(30)
    for (const [k, ts] of model) if (ts < horizon) { model.delete(k); forgotten++ }
    const key = `k${rand(400)}`
    const timestamp = horizon + rand(600)
    const expected = !model.has(key)
    if (!expected) refused++
    if (cache.remember(key, timestamp, horizon) !== expected) { t.fail(`step ${i}: ${key} at ${timestamp}, horizon ${horizon}`); return }
    if (expected) model.set(key, timestamp)
    if (cache.size !== model.size) { t.fail(`step ${i}: ${cache.size} kept, the model ${model.size}`); return }
  }
  t.ok(refused > 100 && forgotten > 100, `both paths taken (${refused} refused, ${forgotten} forgotten)`)
  t.equal(cache.size, model.size)
})
