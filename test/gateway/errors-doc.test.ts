// docs/errors.md and the error registry say the same thing, both ways, and every registered code
// is raised somewhere in the gateway (a code nothing raises is a lie in the documentation).
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { errorRegistry } from '../../gateway/engine/errors.js'
import { DECLINE_MESSAGES } from '../../gateway/engine/outcomes.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8')
const errorsSource = join(root, 'gateway/engine/errors.ts')

/** The sections of a markdown page by `## ` heading. */
function section (markdown: string, heading: string): string {
  const parts = markdown.split(/^## /m)
  const found = parts.find((p) => p.startsWith(`${heading}\n`))
  if (found === undefined) throw new Error(`docs/errors.md has no "## ${heading}" section`)
  return found
}

/** Table rows whose first cell is a code in backticks: code → the other cells. */
function tableRows (markdown: string): Map<string, string[]> {
  const rows = new Map<string, string[]>()
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*`([^`]+)`\s*\|(.*)\|\s*$/.exec(line)
    if (m === null) continue
    if (rows.has(m[1] as string)) throw new Error(`${m[1]} is documented twice`)
    rows.set(m[1] as string, (m[2] as string).split('|').map((c) => c.trim()))
  }
  return rows
}

t.test('every registry code is documented with its status, meaning and advice', async (t) => {
  const rows = tableRows(section(doc, 'Error codes'))
  t.ok(errorRegistry.size > 30, 'the registry is loaded')
  for (const [code, def] of errorRegistry) {
    const row = rows.get(code)
    if (row === undefined) { t.fail(`${code} is not documented in docs/errors.md`); continue }
    t.equal(row[0], String(def.statusCode), `${code} is documented as ${def.statusCode}`)
    t.ok((row[1] ?? '').length > 20 && (row[2] ?? '').length > 10, `${code} says what it means and what to do`)
  }
})

t.test('every documented error code exists in the registry', async (t) => {
  const rows = tableRows(section(doc, 'Error codes'))
  t.ok(rows.size > 30, 'the tables were read')
  for (const code of rows.keys()) t.ok(errorRegistry.has(code), `${code} is a registry code`)
})

t.test('every payment failure code is documented, and only those', async (t) => {
  const rows = tableRows(section(doc, 'Payment failure codes'))
  const declines = Object.keys(DECLINE_MESSAGES)
  t.same([...rows.keys()].sort(), [...declines].sort(), 'the failure codes table lists exactly DECLINE_MESSAGES')
  for (const [code, row] of rows) t.ok((row[0] ?? '').length > 10 && (row[1] ?? '').length > 10, `${code} says what it means and what to do`)
  for (const code of declines) t.notOk(errorRegistry.has(code), `${code} is not also an error code`)
})

/** All .ts source of gateway/ except errors.ts, without comments and import statements. */
function gatewaySources (): Array<{ path: string, text: string }> {
  const out: Array<{ path: string, text: string }> = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts') && path !== errorsSource) {
        const text = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\/|(^|\s)\/\/[^\n]*/g, '$1').replace(/^import[^;]*?from '[^']+'/gm, '')
        out.push({ path: relative(root, path), text })
      }
    }
  }
  walk(join(root, 'gateway'))
  return out
}

t.test('every registry code is raised somewhere in the gateway', async (t) => {
  // errors.ts names each code once: `export const NAME = createError('CODE', …)`; a use is any
  // mention of NAME outside an import (a call, or a spread into a PaylabError).
  const definitions = [...readFileSync(errorsSource, 'utf8').matchAll(/export const (\w+) = createError\('(\w+)'/g)]
  t.equal(definitions.length, errorRegistry.size, 'every registry entry is an exported factory')
  const sources = gatewaySources()
  for (const [, name, code] of definitions) {
    const raisedBy = sources.filter((s) => new RegExp(`\\b${name}\\b`).test(s.text)).map((s) => s.path)
    t.ok(raisedBy.length > 0, `${code} (${name}) is raised in ${raisedBy.join(', ') || 'no file'}`)
  }
})
