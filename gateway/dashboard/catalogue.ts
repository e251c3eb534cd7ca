// What a rule can do, for the rule form: the engine's faults, outcomes and notification faults,
// each with its description from docs/failures.md (shipped beside the code; the engine's short
// `what` stands in for an entry the page lacks). test/gateway/failures-doc.test.ts keeps that
// page and the engine's tables in step.
import { existsSync, readFileSync } from 'node:fs'
import { FAULTS, FAULT_NAMES } from '../engine/faults.js'
import { NOTIFICATION_FAULTS } from '../engine/notification-faults.js'
import { DECLINE_MESSAGES } from '../engine/outcomes.js'

export interface Choice { kind: 'fault' | 'outcome' | 'notification', value: string, param: string | null, description: string }

const DOC = new URL('../../docs/failures.md', import.meta.url)

/** `first column → wanted column` of the first table under `## heading`, backticks removed. */
function column (doc: string, heading: string, wanted: string): Map<string, string> {
  const out = new Map<string, string>()
  const start = doc.indexOf(`\n## ${heading}\n`)
  if (start < 0) return out
  const end = doc.indexOf('\n## ', start + 1)
  const lines = doc.slice(start, end < 0 ? undefined : end).split('\n').filter((l) => l.startsWith('|'))
  const cells = (line: string): string[] => line.slice(1, -1).split('|').map((c) => c.trim().replace(/`/g, ''))
  const titles = cells(lines[0] ?? '')
  const at = titles.indexOf(wanted)
  if (at < 0) return out
  for (const line of lines.slice(2)) {
    const row = cells(line)
    if (row[0] !== undefined && row[at] !== undefined) out.set(row[0], row[at])
  }
  return out
}

function load (): Choice[] {
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : ''
  const faults = column(doc, 'Transport faults', 'What the gateway does on the wire')
  const notifications = column(doc, 'Notification faults', 'What the gateway does')
  const declines = column(doc, 'Decline codes', 'Message')
  const choices: Choice[] = FAULT_NAMES.map((name) =>
    ({ kind: 'fault', value: name, param: FAULTS[name].param ?? null, description: faults.get(name) ?? FAULTS[name].what }))
  choices.push({ kind: 'outcome', value: 'succeed', param: null, description: 'The payment succeeds at once.' })
  for (const code of Object.keys(DECLINE_MESSAGES) as Array<keyof typeof DECLINE_MESSAGES>) {
    choices.push({ kind: 'outcome', value: `decline:${code}`, param: null, description: `Fails with ${code}: ${declines.get(code) ?? DECLINE_MESSAGES[code]}` })
  }
  choices.push({ kind: 'outcome', value: 'challenge', param: null, description: 'Waits for the buyer on the hosted page (3-D Secure or approval), then succeeds; add :decline:<code> to decline after it.' })
  choices.push({ kind: 'outcome', value: 'processing', param: null, description: 'Answers processing; after 30 s on the gateway clock it succeeds; add :decline:<code> to decline then.' })
  for (const [name, def] of Object.entries(NOTIFICATION_FAULTS)) {
    choices.push({ kind: 'notification', value: name, param: def.param ?? null, description: notifications.get(name) ?? def.what })
  }
  return choices
}

let cached: Choice[] | undefined
export const catalogue = (): Choice[] => (cached ??= load())
