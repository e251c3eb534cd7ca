// Durations as people write them (POST /admin/clock/advance {duration}): units add up, anything
// else is a 400 naming the field.
import t from 'tap'
import { parseDuration } from '../../gateway/engine/duration.js'

t.test('units and sums', async (t) => {
  const cases: Array<[string, number]> = [
    ['0s', 0], ['1500ms', 1500], ['30s', 30_000], ['15m', 900_000], ['1h', 3_600_000], ['2d', 172_800_000],
    ['1h30m', 5_400_000], ['1m1s1ms', 61_001], [' 10m ', 600_000], ['1d2h3m4s5ms', 93_784_005], ['90m', 5_400_000]
  ]
  for (const [text, ms] of cases) t.equal(parseDuration(text), ms, JSON.stringify(text))
})

t.test('anything else is refused with the field named', async (t) => {
  for (const text of ['', '10', 'm', '1.5h', '-1s', '1 h', '1h 30m', '1w', '1H', 'abc', '1h30', 'ms']) {
    t.throws(() => parseDuration(text, 'duration'), { code: 'PAYLAB_VALIDATION_FAILED', details: { field: 'duration' } }, JSON.stringify(text))
  }
})
