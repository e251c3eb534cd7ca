// The gateway serves exactly the operations of openapi.yaml, validates every request against
// them, and serves the document itself (JSON, YAML, Swagger UI). Answers are checked against
// the document in contract-answers.test.ts.
import t from 'tap'
import { createHmac } from 'node:crypto'
import { parse } from 'yaml'
import { deref, loadOpenApi, routeSchema, type JsonObject } from '../../gateway/openapi/document.js'
import { DECLINE_MESSAGES } from '../../gateway/engine/outcomes.js'
import { build, type TestGateway } from '../helpers/build.js'
import { makeAjv, operations, type Operation } from '../helpers/contract.js'

const { doc, text } = loadOpenApi()

t.test('the routes the gateway serves are the operations of openapi.yaml', async (t) => {
  const gw = await build(t)
  const served = [...new Set(gw.app.contractRoutes)].sort()
  const documented = operations().map((o) => `${o.method} ${o.path}`).sort()
  t.ok(served.length >= 20, `the routes were collected (${served.length})`)
  for (const route of served) t.ok(documented.includes(route), `${route} is documented`)
  for (const op of documented) t.ok(served.includes(op), `${op} is served`)
})

t.test('openapi.yaml is a sound OpenAPI 3.1 document', async (t) => {
  t.match(doc.openapi, /^3\.1\.\d+$/, 'declares OpenAPI 3.1')
  const ids = operations().map((o) => o.id)
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique')
  const ajv = makeAjv(true)
  for (const op of operations()) {
    t.ok(typeof op.op.summary === 'string' && op.op.summary.length > 5, `${op.id} has a summary`)
    t.ok(Object.keys(op.op.responses as JsonObject).length > 0, `${op.id} documents its responses`)
    const templated = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort()
    const declared = ((op.op.parameters ?? []) as JsonObject[]).filter((p) => p.in === 'path').map((p) => p.name).sort()
    t.same(declared, templated, `${op.id} declares exactly its path parameters`)
    const schema = routeSchema(doc, op.method, op.path.replace(/\{([^}]+)\}/g, ':$1'))
    // An optional body's schema is keyed by content type (see document.ts).
    const bodies = schema?.body?.content === undefined ? [schema?.body] : Object.values(schema.body.content as Record<string, JsonObject>).map((m) => m.schema as JsonObject)
    for (const part of [...bodies, schema?.querystring, schema?.params]) {
      if (part === undefined) continue
      t.doesNotThrow(() => ajv.compile(part), `${op.id}: its schemas compile in strict mode`)
    }
    for (const [where, media] of requestExamples(op)) {
      const validate = ajv.compile(media.schema as JsonObject)
      for (const [name, example] of Object.entries((media.examples ?? {}) as Record<string, JsonObject>)) {
        t.ok(validate(example.value), `${op.id} ${where} example ${name} matches its schema ${ajv.errorsText(validate.errors)}`)
      }
    }
  }
})

t.test('the examples of openapi.yaml match their schemas', async (t) => {
  const ajv = makeAjv()
  const schemas = (doc.components as JsonObject).schemas as Record<string, JsonObject>
  let checked = 0
  for (const [name, raw] of Object.entries(schemas)) {
    const schema = deref(raw, doc) as JsonObject
    for (const example of (schema.examples ?? []) as JsonObject[]) {
      if (typeof example !== 'object' || example === null) continue
      const validate = ajv.compile(schema)
      t.ok(validate(example), `an example of ${name} matches it ${ajv.errorsText(validate.errors)}`)
      checked++
    }
  }
  t.ok(checked >= 3, `object examples were checked (${checked})`)
  const failure = deref(schemas.Failure as JsonObject, doc) as { properties: { code: { enum: string[] } } }
  t.same([...failure.properties.code.enum].sort(), Object.keys(DECLINE_MESSAGES).sort(), 'Failure.code lists exactly the payment failure codes')
})

function requestExamples (op: Operation): Array<[string, JsonObject]> {
  const content = ((op.op.requestBody as JsonObject | undefined)?.content ?? {}) as Record<string, JsonObject>
  return Object.entries(content)
}

/** A signed, admin or plain request to an operation, as its security scheme asks. */
function send (gw: TestGateway, op: Operation, url: string, body?: string) {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' }
  if (op.path.startsWith('/v1/')) return gw.signed({ method: op.method, path: url, body, headers })
  if (op.path.startsWith('/admin/')) return gw.admin({ method: op.method, url, payload: body, headers })
  if (op.path === '/pay') headers.signature = createHmac('sha256', gw.engine.config.seedSecret).update(body ?? '').digest('hex')
  return gw.app.inject({ method: op.method as 'GET', url, payload: body, headers })
}

/** A path with every parameter filled by a value its schema accepts. */
const filled = (path: string): string => path.replace(/\{[^}]+\}/g, 'pay_Contract1')

/** The operation's required query parameters, from their examples, and then `extra`. */
function query (op: Operation, extra: string): string {
  const required = ((op.op.parameters ?? []) as JsonObject[]).filter((p) => p.in === 'query' && p.required === true)
  const pairs = required.map((p) => `${String(p.name)}=${encodeURIComponent(String(p.example ?? ((p.schema as JsonObject).examples as string[] | undefined)?.[0]))}`)
  return `?${[...pairs, extra].join('&')}`
}

/** The error object of an answer, in the API's shape or in /pay's flat one. */
const errorOf = (body: string): JsonObject => { const parsed = JSON.parse(body) as JsonObject; return (parsed.error ?? parsed) as JsonObject }

/** The first example of the operation's JSON request body, or an empty object. */
function exampleBody (op: Operation): string | undefined {
  const body = op.op.requestBody as JsonObject | undefined
  if (body === undefined) return undefined
  const media = (body.content as Record<string, JsonObject>)['application/json']
  const first = Object.values((media?.examples ?? {}) as Record<string, JsonObject>)[0]
  return JSON.stringify(first?.value ?? {})
}

t.test('every operation validates its requests against the document', async (t) => {
  const gw = await build(t)
  for (const op of operations()) {
    await t.test(op.id, async (t) => {
      t.ok(routeSchema(doc, op.method, op.path.replace(/\{([^}]+)\}/g, ':$1'))?.querystring, 'has a request schema')
      // Query parameters: an unknown one is refused, after the params and body pass.
      const unknown = await send(gw, op, `${filled(op.path)}${query(op, 'zz_unknown=1')}`, exampleBody(op))
      t.equal(unknown.statusCode, 400, unknown.body)
      t.match(errorOf(unknown.body), { code: 'PAYLAB_VALIDATION_FAILED', field: 'zz_unknown', location: 'querystring' })
      if (op.path.includes('{')) {
        const bad = await send(gw, op, op.path.replace(/\{[^}]+\}/g, 'not!valid'), exampleBody(op))
        t.equal(bad.statusCode, 400, `a malformed path parameter is refused: ${bad.body}`)
        t.match(errorOf(bad.body), { code: 'PAYLAB_VALIDATION_FAILED', location: 'params' })
      }
      if (op.op.requestBody !== undefined) {
        const array = await send(gw, op, filled(op.path), '[]')
        t.equal(array.statusCode, 400, `a body that is not an object is refused: ${array.body}`)
        t.match(errorOf(array.body), { code: 'PAYLAB_VALIDATION_FAILED', location: 'body' })
      }
    })
  }
})

t.test('the document is served as JSON, as YAML and as Swagger UI', async (t) => {
  const gw = await build(t)
  const json = await gw.app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(json.statusCode, 200)
  t.match(json.headers['content-type'], /^application\/json/)
  t.same(json.json(), doc, '/openapi.json is the document')
  const yaml = await gw.app.inject({ method: 'GET', url: '/openapi.yaml' })
  t.equal(yaml.statusCode, 200)
  t.match(yaml.headers['content-type'], /yaml/)
  t.equal(yaml.body, text, '/openapi.yaml is the file, byte for byte')
  t.same(parse(yaml.body), doc)
  const ui = await gw.app.inject({ method: 'GET', url: '/docs' })
  t.equal(ui.statusCode, 200)
  t.match(ui.headers['content-type'], /^text\/html/)
  t.match(ui.body, /swagger-ui/i, 'the page is Swagger UI')
  const uiSpec = await gw.app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(uiSpec.statusCode, 200)
  t.equal(uiSpec.json().info.title, doc.info && (doc.info as JsonObject).title, 'Swagger UI shows this document')
})
