// The request journal on its own: a bounded ring that keeps the newest entries in order, the
// filters the admin API offers, and a string to sign that never carries a card number or CVC.
import t from 'tap'
import { Journal, journalTime, type JournalEntry } from '../../gateway/engine/journal.js'

function fill (j: Journal, n: number, over: (i: number) => Partial<JournalEntry> = () => ({})): JournalEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const e = j.open({ request_id: `req_${i}`, time: new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString(), method: 'GET', path: '/v1/payments', query: null, merchant_id: 'm1' })
    return Object.assign(e, over(i))
  })
}

t.test('the ring keeps the newest `capacity` entries, oldest first, with growing seq', async (t) => {
  const j = new Journal(5)
  fill(j, 12)
  const all = j.query({ limit: 100 })
  t.same(all.map((e) => e.request_id), ['req_7', 'req_8', 'req_9', 'req_10', 'req_11'])
  t.same(all.map((e) => e.seq), [8, 9, 10, 11, 12], 'seq keeps counting past the bound')
  t.equal(j.count({}), 5)
  fill(j, 3)
  t.same(j.query({}).map((e) => e.seq), [11, 12, 13, 14, 15], 'still in order after wrapping again')
})

t.test('limit gives the newest matches, still oldest first', async (t) => {
  const j = new Journal()
  fill(j, 10)
  t.same(j.query({ limit: 3 }).map((e) => e.seq), [8, 9, 10])
  t.equal(j.query({}).length, 10, 'default limit 100')
})

t.test('filters: merchant, exact path or glob, method, status, since a seq or a time', async (t) => {
  const j = new Journal()
  const entries = fill(j, 8, (i) => ({
    merchant_id: i % 2 === 0 ? 'm1' : 'm2',
    path: i < 4 ? '/v1/payments' : `/v1/payments/pay_${i}`,
    method: i < 4 ? 'POST' : 'GET',
    status: i === 7 ? 404 : 201
  }))
  const ids = (q: Parameters<Journal['query']>[0]) => j.query(q).map((e) => e.seq)
  t.same(ids({ merchant_id: 'm2' }), [2, 4, 6, 8])
  t.same(ids({ path: '/v1/payments' }), [1, 2, 3, 4], 'an exact path is exact')
  t.same(ids({ path: '/v1/payments/*' }), [5, 6, 7, 8])
  t.same(ids({ method: 'post' }), [1, 2, 3, 4], 'method in any case')
  t.same(ids({ status: 404 }), [8])
  t.same(ids({ since: '5' }), [6, 7, 8], 'since a seq: after it')
  t.same(ids({ since: (entries[2] as JournalEntry).time }), [4, 5, 6, 7, 8], 'since a time: after it')
  t.same(ids({ merchant_id: 'm1', path: '/v1/payments/*', since: '5' }), [7], 'filters combine')
  t.equal(j.count({ merchant_id: 'm1', method: 'POST' }), 2)
})

t.test('clear forgets one merchant or everything', async (t) => {
  const j = new Journal(4)
  fill(j, 6, (i) => ({ merchant_id: i % 2 === 0 ? 'm1' : 'm2' }))
  j.clear('m1')
  t.same(j.query({}).map((e) => [e.seq, e.merchant_id]), [[4, 'm2'], [6, 'm2']])
  fill(j, 3)
  t.same(j.query({}).map((e) => e.seq), [6, 7, 8, 9], 'the ring still bounds and orders after a clear')
  j.clear()
  t.equal(j.count({}), 0)
})

t.test('the string to sign in the journal has no card number or CVC, and is bounded', async (t) => {
  const body = '{"method":{"type":"card","card":{"number":"4242424242424242","cvc":"123","exp_month":12}}}'
  const safe = Journal.stringToSign(`POST\n/v1/payments\n1\nnonce\n${body}\n`)
  t.notMatch(safe, '4242424242424242')
  t.notMatch(safe, '"123"')
  t.match(safe, '"number":"[redacted]"')
  t.match(safe, '"exp_month":12', 'the rest stays')
  const spaced = Journal.stringToSign('{"number" : "5555555555554444", "cvc" :"999"}')
  t.notMatch(spaced, '5555555555554444', 'also with blanks around the colon')
  t.notMatch(spaced, '999')
  const long = Journal.stringToSign('x'.repeat(10_000))
  t.ok(long.length <= 4097, `bounded (${long.length})`)
  t.ok(long.endsWith('…'), 'and says it was cut')
})

t.test('since a time compares instants, whatever the notation; a since that is neither is refused', async (t) => {
  const j = new Journal()
  fill(j, 3, (i) => ({ time: ['2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.400Z', '2030-01-01T00:00:01.000Z'][i] }))
  const seqs = (since: string) => j.query({ since }).map((e) => e.seq)
  t.same(seqs('2030-01-01T00:00:00Z'), [2, 3], 'without milliseconds')
  t.same(seqs('2030-01-01T00:00:00.399Z'), [2, 3])
  t.same(seqs('2030-01-01T02:00:00.400+02:00'), [3], 'with an offset')
  t.same(seqs('2029-12-31T23:59:59.999Z'), [1, 2, 3])
  t.equal(j.count({ since: '2030-01-01T00:00:00Z' }), 2)
  t.throws(() => j.query({ since: 'yesterday' }), { code: 'PAYLAB_VALIDATION_FAILED', details: { field: 'since' } })
})

t.test('an entry\'s time is toISOString\'s text, across seconds, before 1970 and for fractional instants', async (t) => {
  const at = Date.UTC(2030, 0, 1, 0, 0, 59, 990)
  const instants = [0, 1, 999, 1000, -1, -999, -1000, -1500.5, 0.7, at, at + 9, at + 10, at + 100, at + 1000.9, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), -62198755200000]
  // Consecutive instants share a cached second, then cross into the next one.
  for (let ms = at; ms < at + 2100; ms += 7) instants.push(ms)
  const wrong = instants.filter((ms) => journalTime(ms) !== new Date(ms).toISOString())
  t.same(wrong, [], `${instants.length} instants`)
  t.throws(() => journalTime(NaN), RangeError, 'an invalid time is refused as Date refuses it')
})
