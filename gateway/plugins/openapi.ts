// Serves openapi.yaml (as /openapi.json, /openapi.yaml and Swagger UI at /docs) and validates
// every route against its operation in that same document.
import { createRequire } from 'node:module'
import fp from 'fastify-plugin'
import type { Ajv2020 } from 'ajv/dist/2020.js'
import type { ValidateFunction } from 'ajv'
import { loadOpenApi, routeSchema, toOpenApiPath } from '../openapi/document.js'
import docs from './docs.js'
import { toPaylabError } from './errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes that serve the documentation itself are not part of the contract. */
    contract?: false
  }
  interface FastifyInstance {
    /** Routes the gateway serves, as `METHOD /openapi/path`, for the contract test. */
    contractRoutes: string[]
  }
}

// Ajv and its formats load with the first validator compiled (see lazyValidator), not with the
// gateway: they are CommonJS, so require() loads them synchronously inside a validator.
const require = createRequire(import.meta.url)

function makeAjv (coerceTypes: boolean): Ajv2020 {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')
  const addFormats = require('ajv-formats') as typeof import('ajv-formats')
  // Bodies are taken as sent (a "100" is not an amount); query and path strings are coerced.
  // validateSchema: false — checking each schema against the JSON Schema meta-schema took most of
  // a second of every start; test/gateway/contract.test.ts compiles them all with the check on.
  const ajv = new Ajv2020({ strict: false, allErrors: false, coerceTypes, useDefaults: true, removeAdditional: false, validateSchema: false })
  addFormats.default(ajv)
  return ajv
}

type Validate = ((data: unknown) => boolean) & { errors?: ValidateFunction['errors'] }

// Every gateway of a process compiles the same schemas: validators are pure functions of their
// schema, so each is compiled once per process and shared (keyed by the schema's JSON, not its
// identity, as each build derives its route schemas anew).
const validators = new Map<string, Validate>()
let ajvs: { body: Ajv2020, params: Ajv2020 } | undefined

function compiled (part: 'body' | 'params', key: string, schema: object): Validate {
  let validate = validators.get(key)
  if (validate === undefined) {
    ajvs ??= { body: makeAjv(false), params: makeAjv(true) }
    validate = ajvs[part].compile(schema)
    validators.set(key, validate)
  }
  return validate
}

/**
 * A route's validator, compiled when a request first needs it rather than when the route is
 * registered: compiling all of them was a large part of a gateway's start, and most starts (a test,
 * a CI job) use a few routes. What a request sees is the same; only the first one pays.
 */
function lazyValidator (schema: object, httpPart: string | undefined): Validate {
  const part = httpPart === 'body' ? 'body' : 'params'
  let ready: Validate | undefined
  const validate: Validate = (data) => {
    ready ??= compiled(part, `${part} ${JSON.stringify(schema)}`, schema)
    const valid = ready(data)
    validate.errors = ready.errors
    return valid
  }
  return validate
}

/**
 * The check a route's body gets, for a body that reaches the engine another way (a dashboard
 * form for POST /admin/rules): the same schema, the same validator, the same error (thrown).
 */
export function checkOperationBody (method: string, fastifyUrl: string, body: unknown): void {
  const schema = routeSchema(loadOpenApi().doc, method, fastifyUrl)?.body
  if (schema === undefined) throw new Error(`no request body schema for ${method} ${fastifyUrl}`)
  const validate = lazyValidator(schema, 'body')
  if (!validate(body)) throw toPaylabError(Object.assign(new Error('invalid body'), { validation: validate.errors ?? [], validationContext: 'body' }))
}

export default fp(async (app) => {
  const { text, doc } = loadOpenApi()
  app.setValidatorCompiler(({ schema, httpPart }) => lazyValidator(schema, httpPart))

  app.decorate('contractRoutes', [] as string[])
  app.addHook('onRoute', (route) => {
    if (route.config?.contract === false || route.url.startsWith('/docs')) return
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue
      app.contractRoutes.push(`${method} ${toOpenApiPath(route.url)}`)
    }
    if (route.schema !== undefined) return
    const method = [route.method].flat()[0] as string
    const schema = routeSchema(doc, method, route.url)
    if (schema !== undefined) route.schema = schema
  })

  await app.register(docs, { document: doc })

  app.get('/openapi.json', { config: { contract: false } }, async (_request, reply) => reply.type('application/json').send(JSON.stringify(doc)))
  app.get('/openapi.yaml', { config: { contract: false } }, async (_request, reply) => reply.type('application/yaml').send(text))
}, { name: 'openapi' })
