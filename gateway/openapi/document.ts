// openapi.yaml is the one copy of the API's schemas: it is served as documentation and turned
// into the Fastify route schemas that validate requests.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const OPENAPI_PATH = fileURLToPath(new URL('../../openapi.yaml', import.meta.url))
// The build (scripts/build.js) writes the document as JSON beside its copy of the YAML: parsing
// the YAML takes most of a second of a gateway's start, the JSON a few ms. Sources run from the
// repository parse the YAML (and load the parser only then) once per content: the JSON of each
// version of the YAML is kept under node_modules/.cache, named by its hash, so every test
// process but the first after an edit reads JSON (a test suite starts ~10 processes).
const OPENAPI_JSON_PATH = OPENAPI_PATH.replace(/\.yaml$/, '.json')
const PARSE_CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/paylab', import.meta.url))

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
export type JsonObject = { [k: string]: Json }

export interface OpenApiDocument extends JsonObject {
  paths: { [path: string]: { [method: string]: JsonObject } }
}

let cached: { text: string, doc: OpenApiDocument } | undefined

export function loadOpenApi (): { text: string, doc: OpenApiDocument } {
  if (cached === undefined) {
    const text = readFileSync(OPENAPI_PATH, 'utf8')
    const doc = existsSync(OPENAPI_JSON_PATH)
      ? JSON.parse(readFileSync(OPENAPI_JSON_PATH, 'utf8')) as OpenApiDocument
      : parseYaml(text)
    cached = { text, doc }
  }
  return cached
}

/** The YAML's parse, from the cache in `dir` when it holds this text's; kept there otherwise. */
export function parseYaml (text: string, dir = PARSE_CACHE_DIR): OpenApiDocument {
  const file = join(dir, `openapi-${createHash('sha256').update(text).digest('hex').slice(0, 32)}.json`)
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument
  } catch {
    // Not cached yet (or a cache that cannot be read): parse, and keep the result if we can.
  }
  const doc = (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text) as OpenApiDocument
  try {
    mkdirSync(dir, { recursive: true })
    // Written aside and renamed: test processes running at once never read half a file.
    const partial = `${file}.${process.pid}.tmp`
    writeFileSync(partial, JSON.stringify(doc))
    renameSync(partial, file)
  } catch {
    // A read-only checkout parses every time, as before.
  }
  return doc
}

/** Inlines every local `$ref` (the document has no cycles). */
export function deref (node: Json, doc: JsonObject): Json {
  if (Array.isArray(node)) return node.map((n) => deref(n, doc))
  if (node === null || typeof node !== 'object') return node
  const ref = node.$ref
  if (typeof ref === 'string') {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`)
    const target = ref.slice(2).split('/').reduce<Json>((at, key) => (at as JsonObject)[key.replace(/~1/g, '/').replace(/~0/g, '~')] as Json, doc)
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`)
    return deref(target, doc)
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deref(v, doc)]))
}

/** `/v1/payments/:id` ↔ `/v1/payments/{id}` */
export const toOpenApiPath = (fastifyUrl: string): string => fastifyUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

export interface RouteSchema {
  body?: JsonObject
  querystring?: JsonObject
  params?: JsonObject
}

// Every gateway a process builds derives the same route schemas: derived once per document and
// operation, handed out as fresh copies (Fastify keeps and may annotate what it is given).
const derived = new WeakMap<OpenApiDocument, Map<string, string | undefined>>()

/** The Fastify validation schema of one operation, or undefined when the document lacks it. */
export function routeSchema (doc: OpenApiDocument, method: string, fastifyUrl: string): RouteSchema | undefined {
  let byRoute = derived.get(doc)
  if (byRoute === undefined) derived.set(doc, byRoute = new Map<string, string | undefined>())
  const key = `${method} ${fastifyUrl}`
  if (!byRoute.has(key)) {
    const schema = deriveRouteSchema(doc, method, fastifyUrl)
    byRoute.set(key, schema === undefined ? undefined : JSON.stringify(schema))
  }
  const text = byRoute.get(key)
  return text === undefined ? undefined : JSON.parse(text) as RouteSchema
}

function deriveRouteSchema (doc: OpenApiDocument, method: string, fastifyUrl: string): RouteSchema | undefined {
  const op = doc.paths[toOpenApiPath(fastifyUrl)]?.[method.toLowerCase()]
  if (op === undefined) return undefined
  const operation = deref(op, doc) as JsonObject
  const schema: RouteSchema = {}
  const requestBody = operation.requestBody as JsonObject | undefined
  const body = (requestBody?.content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined
  if (body?.schema !== undefined) {
    // Fastify validates a plain body schema even when no body was sent; keyed by content type,
    // it validates only what is sent, which is what an optional request body means.
    schema.body = requestBody?.required === true
      ? body.schema as JsonObject
      : { content: { 'application/json': { schema: body.schema } } }
  }
  for (const [location, key] of [['query', 'querystring'], ['path', 'params']] as const) {
    const params = ((operation.parameters ?? []) as JsonObject[]).filter((p) => p.in === location)
    // An operation without query parameters still refuses unknown ones (a typo is never ignored).
    if (params.length === 0 && location === 'path') continue
    schema[key] = {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(params.map((p) => [p.name as string, p.schema as Json])),
      required: params.filter((p) => p.required === true).map((p) => p.name as string)
    }
  }
  return schema
}
