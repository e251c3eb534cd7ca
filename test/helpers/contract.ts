// Reads openapi.yaml the way an integrator's tooling would: its operations, which operation a
// request hits, and whether an answer matches the response the document promises.
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { deref, loadOpenApi, type JsonObject } from '../../gateway/openapi/document.js'

export const HTTP_METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const

export interface Operation {
  id: string
  method: string
  path: string
  /** The operation with every $ref inlined. */
  op: JsonObject
}

const { doc } = loadOpenApi()

// Derefed once per process: the document does not change, and the same schema objects each time
// let Ajv reuse what it compiled for them (it caches by object) instead of compiling per answer.
let all: Operation[] | undefined

export function operations (): Operation[] {
  if (all !== undefined) return all
  const out: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const raw = item[method]
      if (raw === undefined) continue
      const op = deref(raw, doc) as JsonObject
      out.push({ id: String(op.operationId), method: method.toUpperCase(), path, op })
    }
  }
  all = out
  return out
}

const pathRegex = (template: string): RegExp =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`)

/** The operation a request hits; literal segments win over parameters, as in the router. */
export function operationOf (method: string, url: string): Operation | undefined {
  const path = url.split('?')[0] as string
  const candidates = operations().filter((o) => o.method === method.toUpperCase() && pathRegex(o.path).test(path))
  return candidates.sort((a, b) => (a.path.match(/\{/g) ?? []).length - (b.path.match(/\{/g) ?? []).length)[0]
}

/** Ajv for the document's JSON Schema 2020-12; `strict` also refuses unknown keywords (typos). */
export function makeAjv (strict = false): Ajv2020 {
  const ajv = new Ajv2020({ strict, allowUnionTypes: true, strictRequired: false, allErrors: true })
  addFormats.default(ajv)
  // OpenAPI's own annotation keywords, meaningless to JSON Schema validation.
  ajv.addVocabulary(['example', 'xml', 'externalDocs', 'discriminator'])
  return ajv
}

/** The documented response of an operation for a status: the status itself, else `default`. */
export function responseFor (op: Operation, status: number): JsonObject | undefined {
  const responses = op.op.responses as JsonObject
  return (responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default) as JsonObject | undefined
}

export interface Answer { status: number, headers: Record<string, unknown>, body: string }

/** Problems of one answer against the document: an empty list when it conforms. */
export function answerProblems (ajv: Ajv2020, op: Operation, answer: Answer): string[] {
  const response = responseFor(op, answer.status)
  if (response === undefined) return [`${op.id} does not document status ${answer.status}`]
  const problems: string[] = []
  const content = response.content as JsonObject | undefined
  const type = String(answer.headers['content-type'] ?? '').split(';')[0] as string
  if (content === undefined) {
    if (answer.body !== '') problems.push(`${op.id} ${answer.status} documents no body but got ${type}`)
  } else if (content[type] === undefined) {
    problems.push(`${op.id} ${answer.status} documents ${Object.keys(content).join(', ')}, not ${type}`)
  } else if (type === 'application/json') {
    const schema = (content[type] as JsonObject).schema as JsonObject
    const validate = ajv.compile(schema)
    if (!validate(JSON.parse(answer.body))) {
      problems.push(`${op.id} ${answer.status}: ${ajv.errorsText(validate.errors)} in ${answer.body.slice(0, 400)}`)
    }
  }
  for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, JsonObject>)) {
    const value = answer.headers[name.toLowerCase()]
    if (value === undefined) continue
    const schema = header.schema as JsonObject | undefined
    if (schema !== undefined && !ajv.validate(schema, value)) problems.push(`${op.id} ${answer.status} header ${name}: ${ajv.errorsText()}`)
  }
  return problems
}
