// Serves openapi.yaml (as /openapi.json, /openapi.yaml and Swagger UI at /docs) and validates
// every route against its operation in that same document.
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { loadOpenApi, routeSchema, toOpenApiPath } from '../openapi/document.js'

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

function makeAjv (coerceTypes: boolean): Ajv2020 {
  // Bodies are taken as sent (a "100" is not an amount); query and path strings are coerced.
  const ajv = new Ajv2020({ strict: false, allErrors: false, coerceTypes, useDefaults: true, removeAdditional: false })
  addFormats.default(ajv)
  return ajv
}

// Compiling the document's schemas is most of what building a gateway costs, and every gateway
// of a process compiles the same ones: validators are pure functions of their schema, so they
// are compiled once per process and shared (keyed by the schema's JSON, not its identity, as
// each build derives its route schemas anew).
const validators = new Map<string, ValidateFunction>()
let ajvs: { body: Ajv2020, params: Ajv2020 } | undefined

export function compileValidator (schema: object, httpPart: string | undefined): ValidateFunction {
  const part = httpPart === 'body' ? 'body' : 'params'
  const key = `${part} ${JSON.stringify(schema)}`
  let validate = validators.get(key)
  if (validate === undefined) {
    ajvs ??= { body: makeAjv(false), params: makeAjv(true) }
    validate = ajvs[part].compile(schema)
    validators.set(key, validate)
  }
  return validate
}

export default fp(async (app) => {
  const { text, doc } = loadOpenApi()
  app.setValidatorCompiler(({ schema, httpPart }) => compileValidator(schema, httpPart))

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

  await app.register(swagger, { mode: 'static', specification: { document: doc as never } })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  app.get('/openapi.json', { config: { contract: false } }, async (_request, reply) => reply.type('application/json').send(JSON.stringify(doc)))
  app.get('/openapi.yaml', { config: { contract: false } }, async (_request, reply) => reply.type('application/yaml').send(text))
}, { name: 'openapi' })
