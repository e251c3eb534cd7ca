// RuleBook on its own: what a rule matches, how `times` and a seeded `probability` limit it, which
// rule wins, and that one merchant's rules never apply to another's requests.
import t from 'tap'
import { compileGlob, RuleBook, type RuleInput, type RuleRequest } from '../../gateway/engine/rules.js'

const AT = '2030-01-01T00:00:00.000Z'
const request = (over: Partial<RuleRequest> = {}): RuleRequest =>
  ({ merchantId: 'm1', method: 'POST', path: '/v1/payments', headers: {}, merchantOrderId: 'order-1', amount: 1000, ...over })

function book (...rules: RuleInput[]): RuleBook {
  const b = new RuleBook()
  for (const r of rules) b.add(r, AT)
  return b
}

t.test('globs: * is any run of characters, ? one, everything else literal', async (t) => {
  t.ok(compileGlob('order-7*').test('order-7'))
  t.ok(compileGlob('order-7*').test('order-7abc'))
  t.notOk(compileGlob('order-7*').test('xorder-7'), 'anchored at the start')
  t.ok(compileGlob('/v1/payments/?').test('/v1/payments/x'))
  t.notOk(compileGlob('/v1/payments/?').test('/v1/payments/xy'), 'anchored at the end')
  t.notOk(compileGlob('a.b').test('axb'), 'a dot is a dot')
  t.ok(compileGlob('a+(b)').test('a+(b)'), 'regex characters are literal')
  t.ok(compileGlob('*').test(''), 'a star matches nothing too')
  t.ok(compileGlob('/v1/*/refunds').test('/v1/payments/pay_1/refunds'), 'a star crosses slashes')
  t.notOk(compileGlob('a*b*c').test('abcb'))
  t.ok(compileGlob('a*b*c').test('abcbc'))
  t.ok(compileGlob('**x?').test('yyxz'))
  t.notOk(compileGlob('?').test(''))
  // As a RegExp of `.*`s this took hours (exponential backtracking); here, pattern × text steps at most.
  const evil = compileGlob(`/v1/${'*a'.repeat(16)}Z`)
  t.notOk(evil.test(`/v1/${'a'.repeat(60)}`), 'a pathological glob answers at once')
  t.ok(evil.test(`/v1/${'a'.repeat(60)}Z`))
})

t.test('each match field narrows what a rule applies to', async (t) => {
  const cases: Array<[RuleInput['match'], Partial<RuleRequest>, Partial<RuleRequest>]> = [
    [{ method: 'get' }, { method: 'GET' }, { method: 'POST' }],
    [{ path: '/v1/payments/*' }, { path: '/v1/payments/pay_1' }, { path: '/v1/payments' }],
    [{ merchant_order_id: 'order-7*' }, { merchantOrderId: 'order-77' }, { merchantOrderId: 'order-8' }],
    [{ merchant_order_id: '*' }, { merchantOrderId: '' }, { merchantOrderId: undefined }],
    [{ amount: 1000 }, { amount: 1000 }, { amount: 1001 }],
    [{ header: { name: 'X-Test-Case' } }, { headers: { 'x-test-case': 'a' } }, { headers: {} }],
    [{ header: { name: 'X-Test-Case', value: 'b' } }, { headers: { 'x-test-case': ['b', 'c'] } }, { headers: { 'x-test-case': 'a' } }]
  ]
  for (const [match, yes, no] of cases) {
    const b = book({ merchant_id: 'm1', match, fault: 'http_500' })
    t.equal(b.evaluate(request(yes)).fault?.value.name, 'http_500', `${JSON.stringify(match)} matches ${JSON.stringify(yes)}`)
    t.equal(b.evaluate(request(no)).fault, undefined, `${JSON.stringify(match)} does not match ${JSON.stringify(no)}`)
  }
})

t.test('rules belong to their merchant: evaluate, list and reset never cross over', async (t) => {
  const b = book({ merchant_id: 'm1', fault: 'http_500' }, { merchant_id: 'm2', outcome: 'decline:lost_card' })
  t.equal(b.evaluate(request({ merchantId: 'm2' })).fault, undefined, "m1's fault does not reach m2")
  t.equal(b.evaluate(request({ merchantId: 'm1' })).outcome, undefined, "m2's outcome does not reach m1")
  t.equal(b.evaluate(request({ merchantId: 'm3' })).fault, undefined)
  t.same(b.list('m1').map((r) => r.fault), ['http_500'])
  t.equal(b.list().length, 2, 'without a merchant, all')
  t.equal(b.reset('m1'), 1)
  t.equal(b.list('m2').length, 1, "resetting m1 leaves m2's rules")
  t.equal(b.evaluate(request({ merchantId: 'm2' })).outcome?.value.kind, 'decline')
})

t.test('times: a rule applies that many times, then never; hits count what applied', async (t) => {
  const b = book({ merchant_id: 'm1', fault: 'response_lost', times: 2 })
  const results = [1, 2, 3, 4].map(() => b.evaluate(request()).fault?.value.name ?? null)
  t.same(results, ['response_lost', 'response_lost', null, null])
  t.equal(b.list('m1')[0]?.hits, 2)
})

t.test('the first live rule of each kind wins, and a spent rule lets the next one apply', async (t) => {
  const b = book(
    { merchant_id: 'm1', fault: 'http_503;2', times: 1 },
    { merchant_id: 'm1', fault: 'http_500' },
    { merchant_id: 'm1', outcome: 'decline:card_declined' }
  )
  const first = b.evaluate(request())
  t.same([first.fault?.value, first.outcome?.value], [{ name: 'http_503', value: 2 }, { kind: 'decline', code: 'card_declined' }],
    'one fault and one outcome apply together')
  t.equal(b.evaluate(request()).fault?.value.name, 'http_500', 'the spent first rule gives way')
  t.same(b.list('m1').map((r) => r.hits), [1, 1, 2], 'the second fault rule was not counted while the first applied')
})

t.test('probability with a seed: the same seed gives the same sequence; the rate is about right', async (t) => {
  const run = (seed: number) => {
    const b = book({ merchant_id: 'm1', fault: 'http_500', probability: 0.3, seed })
    return Array.from({ length: 1000 }, () => b.evaluate(request()).fault !== undefined)
  }
  const a = run(42)
  t.same(run(42), a, 'reproducible with the same seed')
  t.notSame(run(43), a, 'another seed, another sequence')
  const hits = a.filter(Boolean).length
  t.ok(hits > 240 && hits < 360, `about 30 % applied (${hits}/1000)`)
  const never = book({ merchant_id: 'm1', fault: 'http_500', probability: 0, seed: 1 })
  const always = book({ merchant_id: 'm1', fault: 'http_500', probability: 1, seed: 1 })
  t.equal(Array.from({ length: 50 }, () => never.evaluate(request()).fault).filter(Boolean).length, 0, 'probability 0: never')
  t.equal(Array.from({ length: 50 }, () => always.evaluate(request()).fault).filter(Boolean).length, 50, 'probability 1: always')
})

t.test('times and probability together: only applied requests use up times', async (t) => {
  const b = book({ merchant_id: 'm1', fault: 'http_500', probability: 0.5, seed: 7, times: 3 })
  const applied = Array.from({ length: 200 }, () => b.evaluate(request()).fault !== undefined).filter(Boolean).length
  t.equal(applied, 3)
  t.equal(b.list('m1')[0]?.hits, 3)
})

t.test('a rule is stored in its canonical form; bad ones are refused', async (t) => {
  const b = new RuleBook()
  const rule = b.add({ merchant_id: 'm1', fault: ' http_503 ; retry_after=5 ', seed: 9 }, AT)
  t.match(rule, { merchant_id: 'm1', fault: 'http_503;5', outcome: null, times: null, probability: null, seed: 9, hits: 0, created_at: AT })
  t.match(rule.id, /^rule_/)
  t.equal(b.add({ merchant_id: 'm1', outcome: 'challenge:decline:insufficient_funds' }, AT).outcome, 'challenge:decline:insufficient_funds')
  t.throws(() => b.add({ merchant_id: 'm1' }, AT), { code: 'PAYLAB_VALIDATION_FAILED' }, 'no effect')
  t.throws(() => b.add({ merchant_id: 'm1', fault: 'http_500', outcome: 'succeed' }, AT), { code: 'PAYLAB_VALIDATION_FAILED' }, 'two effects')
  t.throws(() => b.add({ merchant_id: 'm1', fault: 'teapot' }, AT), { code: 'PAYLAB_VALIDATION_FAILED', details: { field: 'fault' } })
  t.throws(() => b.add({ merchant_id: 'm1', outcome: 'decline:nope' }, AT), { code: 'PAYLAB_VALIDATION_FAILED', details: { field: 'outcome' } })
  t.equal(b.list('m1').length, 2, 'refused rules were not kept')
})

t.test('delete removes one rule by id', async (t) => {
  const b = new RuleBook()
  const one = b.add({ merchant_id: 'm1', fault: 'http_500' }, AT)
  const two = b.add({ merchant_id: 'm1', fault: 'http_502' }, AT)
  t.equal(b.delete(one.id), true)
  t.equal(b.delete(one.id), false, 'a second delete finds nothing')
  t.same(b.list('m1').map((r) => r.id), [two.id])
  t.equal(b.evaluate(request()).fault?.value.name, 'http_502')
})

t.test('a kind the caller leaves out is neither applied nor counted', async (t) => {
  const b = book({ merchant_id: 'm1', fault: 'http_500', times: 1 }, { merchant_id: 'm1', outcome: 'decline:lost_card', times: 1 })
  const query = b.evaluate(request({ method: 'GET' }), { outcome: false, fault: false })
  t.same(query, {}, 'nothing applies')
  t.same(b.list('m1').map((r) => r.hits), [0, 0], 'and nothing is used up')
  const create = b.evaluate(request())
  t.same([create.fault?.value.name, create.outcome?.value], ['http_500', { kind: 'decline', code: 'lost_card' }], 'both still apply later')
})
