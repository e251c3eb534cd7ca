// docs/failures.md and the engine's tables in step: every documented trigger exists in the code
// with the documented effect, and every trigger in the code is documented.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { cardBrand, luhnValid } from '../../gateway/engine/cards.js'
import { DEFAULT_CONFIG } from '../../gateway/engine/context.js'
import { FAULT_AMOUNTS, FAULTS, formatFault } from '../../gateway/engine/faults.js'
import { NOTIFICATION_FAULT_AMOUNTS, NOTIFICATION_FAULTS } from '../../gateway/engine/notification-faults.js'
import { DECLINE_MESSAGES, formatOutcome, MAGIC_AMOUNTS, parseOutcome, TEST_CARDS, type Outcome } from '../../gateway/engine/outcomes.js'
import { THREE_DS_CODE } from '../../gateway/routes/cashier.js'

const doc = await readFile(new URL('../../docs/failures.md', import.meta.url), 'utf8')

type Row = Record<string, string>

/** The tables of the `## heading` section, as rows keyed by column title. */
function tables (heading: string): Row[][] {
  const start = doc.indexOf(`\n## ${heading}\n`)
  if (start < 0) throw new Error(`docs/failures.md has no section "## ${heading}"`)
  const end = doc.indexOf('\n## ', start + 1)
  const lines = doc.slice(start, end < 0 ? undefined : end).split('\n')
  const out: Row[][] = []
  for (let i = 0; i < lines.length; i++) {
    if (!(lines[i] as string).startsWith('|') || !/^\|[-| ]+\|$/.test(lines[i + 1] ?? '')) continue
    const titles = cells(lines[i] as string)
    const rows: Row[] = []
    for (i += 2; i < lines.length && (lines[i] as string).startsWith('|'); i++) {
      const values = cells(lines[i] as string)
      rows.push(Object.fromEntries(titles.map((title, k) => [title, values[k] ?? ''])))
    }
    out.push(rows)
  }
  return out
}
const cells = (line: string): string[] => line.slice(1, -1).split('|').map((c) => c.trim())
const table = (heading: string, nth = 0): Row[] => tables(heading)[nth] ?? []
/** The text inside the first backticks of a cell, or the cell. */
const code = (cell: string | undefined): string => /`([^`]*)`/.exec(cell ?? '')?.[1] ?? (cell ?? '')
const codes = (cell: string | undefined): string[] => [...(cell ?? '').matchAll(/`([^`]*)`/g)].map((m) => m[1] as string)

/** The decline code a payment ends with, if it ends declined. */
const finalDecline = (o: Outcome): string | undefined => o.kind === 'decline' ? o.code : o.kind === 'succeed' ? undefined : finalDecline(o.then)

t.test('test cards: the same numbers with the same outcomes and brands', async (t) => {
  const rows = table('Test cards')
  t.same(Object.fromEntries(rows.map((r) => [code(r['Card number']), code(r.Outcome)])),
    Object.fromEntries(Object.entries(TEST_CARDS).map(([n, o]) => [n, formatOutcome(o)])))
  for (const r of rows) {
    const number = code(r['Card number'])
    t.equal(r.Brand, cardBrand(number), `${number}: brand`)
    t.ok(luhnValid(number), `${number}: a valid number`)
  }
})

t.test('refused card numbers fail the Luhn check and are no test card', async (t) => {
  const rows = table('Test cards', 1)
  t.ok(rows.length > 0, 'the table is there')
  for (const r of rows) {
    const number = code(r['Card number'])
    t.notOk(luhnValid(number), number)
    t.notOk(Object.hasOwn(TEST_CARDS, number), number)
    t.match(r['What the gateway does'], 'PAYLAB_CARD_NUMBER_INVALID')
  }
})

t.test('magic amounts for business outcomes: the same amounts with the same outcomes', async (t) => {
  const rows = table('Magic amounts: business outcomes')
  t.same(Object.fromEntries(rows.map((r) => [code(r.Amount), code(r.Outcome)])),
    Object.fromEntries(Object.entries(MAGIC_AMOUNTS).map(([a, o]) => [a, formatOutcome(o)])))
})

t.test('decline codes: the same codes and messages, and each trigger named really gives that code', async (t) => {
  const rows = table('Decline codes')
  t.same(Object.fromEntries(rows.map((r) => [code(r.Code), r.Message])), DECLINE_MESSAGES)
  for (const r of rows) {
    const declineCode = code(r.Code)
    const named = codes(r.Triggers)
    for (const trigger of named) {
      if (/^\d{12,19}$/.test(trigger)) {
        const card = TEST_CARDS[trigger]
        const viaChallenge = declineCode === 'authentication_failed' && card?.kind === 'challenge'
        t.ok(card !== undefined && (finalDecline(card) === declineCode || viaChallenge), `${declineCode}: card ${trigger}`)
      } else if (/^\d+$/.test(trigger)) {
        const outcome = MAGIC_AMOUNTS[Number(trigger)]
        t.ok(outcome !== undefined && finalDecline(outcome) === declineCode, `${declineCode}: amount ${trigger}`)
      }
    }
    const cards = Object.entries(TEST_CARDS).filter(([, o]) => finalDecline(o) === declineCode).map(([n]) => n)
    const amounts = Object.entries(MAGIC_AMOUNTS).filter(([, o]) => finalDecline(o) === declineCode).map(([a]) => a)
    for (const trigger of [...cards, ...amounts]) t.ok(named.includes(trigger), `${declineCode}: ${trigger} is listed`)
  }
})

t.test('transport faults: the same faults, parameters, defaults, maxima and commitment', async (t) => {
  const rows = table('Transport faults')
  t.same(rows.map((r) => code(r.Fault)).sort(), Object.keys(FAULTS).sort())
  for (const r of rows) {
    const def = FAULTS[code(r.Fault) as keyof typeof FAULTS]
    if (def === undefined) continue
    const name = code(r.Fault)
    t.equal(code(r.Parameter), def.param ?? '—', `${name}: parameter`)
    t.same([r.Default, r.Max], def.param === undefined ? ['—', '—'] : [String(def.default), String(def.max)], `${name}: default and max`)
    t.equal(r.Committed, def.committed ? 'yes' : 'no', `${name}: committed`)
  }
})

t.test('magic amounts for transport faults: the same amounts with the same faults', async (t) => {
  const rows = table('Magic amounts: transport faults')
  t.same(Object.fromEntries(rows.map((r) => [code(r.Amount), code(r.Fault)])),
    Object.fromEntries(Object.entries(FAULT_AMOUNTS).map(([a, f]) => [a, formatFault(f)])))
  for (const r of rows) t.equal(r['`/pay` amount (USD)'], (Number(code(r.Amount)) / 100).toFixed(2), `${code(r.Amount)} in major units`)
})

t.test('notification faults and their amounts: the same as the code', async (t) => {
  const rows = table('Notification faults')
  t.same(Object.fromEntries(rows.map((r) => [code(r.Fault), code(r.Parameter)])),
    Object.fromEntries(Object.entries(NOTIFICATION_FAULTS).map(([n, f]) => [n, f.param ?? '—'])))
  const amounts = table('Magic amounts: notification faults')
  t.same(Object.fromEntries(amounts.map((r) => [code(r.Amount), code(r['Notification fault'])])),
    Object.fromEntries(Object.entries(NOTIFICATION_FAULT_AMOUNTS).map(([a, f]) => [a, f])))
})

t.test('no amount triggers two things', async (t) => {
  const all = [...Object.keys(MAGIC_AMOUNTS), ...Object.keys(FAULT_AMOUNTS), ...Object.keys(NOTIFICATION_FAULT_AMOUNTS)]
  t.equal(new Set(all).size, all.length)
})

t.test('every outcome written in the page parses, and the numbers in the prose are the defaults', async (t) => {
  for (const text of new Set(codes(doc).filter((c) => /^(decline|challenge|processing):/.test(c) && !c.includes('<')))) {
    t.doesNotThrow(() => parseOutcome(text), text)
  }
  t.match(doc, `\`code\` \`${THREE_DS_CODE}\` passes`, 'the 3-D Secure code')
  t.match(doc, `(default ${DEFAULT_CONFIG.paymentExpiresInSec})`, 'the default expiry')
  t.match(doc, `resolves ${DEFAULT_CONFIG.processingDelaySec} s after creation`, 'the processing delay')
  t.match(doc, `(${DEFAULT_CONFIG.timestampToleranceSec} s)`, 'the timestamp window')
})
