// The pieces scenario files are written in: matchers, ${…} references, JSONPath, and seeding.
import t from 'tap'
import { isDefinite, query } from '../../scenarios/runner/jsonpath.js'
import { match } from '../../scenarios/runner/match.js'
import { interpolate, parseExpr, references } from '../../scenarios/runner/template.js'
import { fakeMerchant } from './fake-merchant.js'
import { fixture, run } from './helpers.js'

t.test('matchers', async (t) => {
  const paths = (seen: unknown, expected: unknown) => match(seen, expected, '$').map((m) => m.path)
  t.same(paths({ a: 1, b: 2 }, { a: 1 }), [], 'an object matches on the fields it names')
  t.same(paths({ a: 1 }, { a: 2 }), ['$.a'])
  t.same(paths([1, 2], [1, 2]), [])
  t.same(paths([1, 2, 3], [1, 2]), ['$'], 'a list must have the same length')
  t.same(paths('7', 7), ['$'], 'no type coercion')
  t.same(paths(null, null), [])
  t.same(paths(undefined, null), ['$'], 'missing is not null')
  t.same(paths(5, { gte: 5, lt: 6 }), [])
  t.same(paths(5, { gt: 5 }), ['$'])
  t.same(paths('b', { gt: 'a' }), [])
  t.same(paths('5', { gte: 1 }), ['$'], 'a string is not compared with a number')
  t.same(paths('pay_123', { match: '^pay_\\d+$' }), [])
  t.same(paths([{ k: 1 }, { k: 2 }], { contains: { k: 2 } }), [])
  t.same(paths('hello', { contains: 'xyz' }), ['$'])
  t.same(paths([1, 2, 3], { length: { gte: 3 } }), [])
  t.same(paths({ a: 1 }, { b: { exists: false } }), [])
  t.same(paths({ a: null }, { a: { exists: true, type: 'null' } }), [])
  t.same(paths('paid', { in: ['paid', 'refunded'] }), [])
  t.same(paths('closed', { ne: 'closed' }), ['$'])
})

t.test('references', async (t) => {
  const vars: Record<string, unknown> = { n: 5, order: { id: 'o-1', items: ['a', 'b'] } }
  const resolve = (v: unknown) => interpolate(v, (e) => {
    if (e.kind === 'faker') return `faker:${e.module}.${e.method}:${JSON.stringify(e.args)}`
    return e.segments.slice(1).reduce<any>((o, k) => o?.[k], vars[e.root])
  })
  t.equal(resolve('${n}'), 5, 'a whole-string reference keeps its type')
  t.equal(resolve('n=${n}'), 'n=5', 'inside text it is text')
  t.equal(resolve('${order.items[1]}'), 'b')
  t.same(resolve({ '${order.id}': ['${n}'] }), { 'o-1': [5] }, 'keys and nested values too')
  t.equal(resolve('$${n} costs $5'), '${n} costs $5', '$${ writes a literal ${')
  t.equal(resolve('${faker.number.int({"min": 1, "max": 9})}'), 'faker:number.int:[{"min":1,"max":9}]', 'braces inside faker arguments')
  t.same(references('a ${x} b ${y.z}').map((r) => r.expr), ['x', 'y.z'])
  t.throws(() => references('${open'), /no closing }/)
  t.throws(() => parseExpr('a b'), /not a variable reference/)
  t.throws(() => parseExpr('faker.number.int({min: 1})'), /faker arguments must be JSON/)
})

t.test('JSONPath: one value for a definite path, a list otherwise', async (t) => {
  const doc = { id: 'x', timeline: [{ kind: 'order' }, { kind: 'answer' }, { kind: 'status' }] }
  t.equal(query(doc, '$.id'), 'x')
  t.equal(query(doc, '$.missing'), undefined)
  t.equal(query(doc, '$.timeline[1].kind'), 'answer')
  t.same(query(doc, '$.timeline[*].kind'), ['order', 'answer', 'status'])
  t.same(query(doc, "$.timeline[?(@.kind=='status')]"), [{ kind: 'status' }])
  t.same(query(doc, '$..kind'), ['order', 'answer', 'status'])
  t.ok(isDefinite('$.a.b[0]'))
  t.notOk(isDefinite('$.a[0,1]'))
  t.throws(() => query(doc, '$.timeline[?(process.exit(1))]'), 'filters cannot run arbitrary code')
})

t.test('faker data is seeded: the same seed gives the same data, another seed other data', async (t) => {
  const service = await fakeMerchant(t, 'correct')
  for (const seed of [7, 7, 8]) {
    const out = await run({ paths: [fixture('seeded.yaml')], seed, vars: { service: service.url } })
    t.equal(out.code, 0, `seed ${seed} ran`)
  }
  const [a, b, c] = service.echoes as Array<Record<string, unknown>>
  t.same(a, b, 'seed 7 twice: the same person, number and word')
  t.not(JSON.stringify(a), JSON.stringify(c), 'seed 8: different data')
  t.match(a, { person: /\w+ \w+/, n: Number, literal: '${not a reference}' })
})
