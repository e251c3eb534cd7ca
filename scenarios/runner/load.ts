// Reads scenario files (several scenarios per file as YAML documents), checks them, and says what
// is wrong with file, line and column when they are not right.
import { readFile, readdir, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { isMap, isNode, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml'
import { parseDuration } from '../../gateway/engine/duration.js'
import { lint, MODIFIERS, prepareLint } from './lint.js'
import { checkSchema, type SchemaProblem } from './schema.js'
import type { Position, Scenario, Step } from './types.js'

export interface LoadProblem extends Position { message: string }

export interface Loaded { scenarios: Scenario[], problems: LoadProblem[] }

/** Every .yaml/.yml file under the given files and folders, in a stable order. */
export async function findFiles (paths: string[]): Promise<string[]> {
  const out: string[] = []
  for (const path of paths) {
    const info = await stat(path)
    if (info.isFile()) { out.push(path); continue }
    const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))
    const nested = entries.filter((e) => e.isDirectory() || /\.ya?ml$/.test(e.name)).map((e) => join(path, e.name))
    out.push(...await findFiles(nested))
  }
  return out
}

export async function loadScenarios (paths: string[], knownVars: string[] = []): Promise<Loaded> {
  const scenarios: Scenario[] = []
  const problems: LoadProblem[] = []
  let files: string[]
  try {
    files = await findFiles(paths)
  } catch (err) {
    return { scenarios, problems: [{ file: (err as { path?: string }).path ?? paths.join(' '), line: 0, column: 0, message: (err as Error).message }] }
  }
  for (const path of files) {
    const file = relative(process.cwd(), path) || path
    const lineCounter = new LineCounter()
    const docs = parseAllDocuments(await readFile(path, 'utf8'), { lineCounter, prettyErrors: false, uniqueKeys: true })
    const at = (offset: number): Position => { const p = lineCounter.linePos(offset); return { file, line: p.line, column: p.col } }
    if (!Array.isArray(docs)) { problems.push({ ...at(0), message: 'not a YAML stream' }); continue }
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        for (const e of doc.errors) problems.push({ ...at(e.pos[0]), message: e.message.split('\n')[0] as string })
        continue
      }
      if (doc.contents === null) continue // an empty document (a trailing ---)
      const value = doc.toJS({ maxAliasCount: 100 }) as unknown
      await prepareLint(value)
      const found = [...checkSchema(value), ...(isMap(doc.contents) ? lint(value as Record<string, unknown>, knownVars) : [])]
      for (const p of found) problems.push({ ...at(offsetOf(doc, p)), message: p.message })
      if (found.length === 0) scenarios.push(toScenario(value as Record<string, unknown>, file, doc, at))
    }
  }
  const seen = new Map<string, Scenario>()
  for (const s of scenarios) {
    const first = seen.get(s.name)
    if (first !== undefined) problems.push({ file: s.file, line: s.line, column: 1, message: `another scenario is already named "${s.name}" (${first.file}:${first.line})` })
    else seen.set(s.name, s)
  }
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column)
  return { scenarios, problems }
}

/** Where a problem is: the key for an unknown field, else the value, else the nearest parent. */
function offsetOf (doc: Document, problem: SchemaProblem): number {
  for (let n = problem.path.length; n >= 0; n--) {
    const node = doc.getIn(problem.path.slice(0, n), true)
    if (!isNode(node)) continue
    if (problem.key !== undefined && n === problem.path.length && isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === problem.key)
      if (isNode(pair?.key)) return (pair.key as Node).range?.[0] ?? 0
    }
    return (node as Node).range?.[0] ?? 0
  }
  return doc.contents?.range?.[0] ?? 0
}

const ms = (v: unknown): number | undefined => v === undefined ? undefined : typeof v === 'number' ? v : parseDuration(typeof v === 'string' ? v : JSON.stringify(v))

function toScenario (raw: Record<string, unknown>, file: string, doc: Document, at: (offset: number) => Position): Scenario {
  const rawSteps = raw.steps as Array<Record<string, unknown>>
  const steps: Step[] = rawSteps.map((s, i) => {
    const kind = Object.keys(s).find((k) => !MODIFIERS.has(k)) as string
    let args = s[kind]
    let within = s.within
    // `within` may sit inside an expectation's arguments, as in `expect.order: {…, within: 5s}`.
    if (kind.startsWith('expect.') && args !== null && typeof args === 'object' && 'within' in args) {
      const { within: inner, ...rest } = args as Record<string, unknown>
      args = rest
      within ??= inner
    }
    const took = s.took as { at_least?: unknown, at_most?: unknown } | undefined
    const node = doc.getIn(['steps', i], true) as Node | undefined
    return {
      number: i + 1,
      line: at(node?.range?.[0] ?? 0).line,
      kind,
      args,
      ...(typeof s.name === 'string' ? { name: s.name } : {}),
      ...(s.capture === undefined ? {} : { capture: s.capture as Step['capture'] }),
      ...(s.check === undefined ? {} : { check: s.check as Step['check'] }),
      ...(within === undefined ? {} : { withinMs: ms(within) }),
      ...(s.every === undefined ? {} : { everyMs: ms(s.every) }),
      ...(took === undefined ? {} : { took: { atLeastMs: ms(took.at_least), atMostMs: ms(took.at_most) } })
    }
  })
  const shop = (raw.shop ?? {}) as { timeout?: unknown, max_attempts?: number }
  const hasClock = steps.some((s) => s.kind === 'gateway.clock')
  return {
    file,
    line: at((doc.contents as Node).range?.[0] ?? 0).line,
    name: raw.name as string,
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    tags: (raw.tags ?? []) as string[],
    ...(typeof raw.seed === 'number' ? { seed: raw.seed } : {}),
    timeoutMs: ms(raw.timeout) ?? 60_000,
    exclusive: raw.exclusive === true || hasClock,
    vars: (raw.vars ?? {}) as Record<string, unknown>,
    merchant: raw.merchant ?? {},
    shop: { timeoutMs: ms(shop.timeout), maxAttempts: shop.max_attempts },
    steps
  }
}
