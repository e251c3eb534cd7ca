// The text forms of faults and outcomes that headers and rules carry: what they parse to, what
// they refuse (a typo must be a 400 naming the field, never a silently different scenario), and
// that the formatted form reads back as the same thing.
import t, { type Test } from 'tap'
import { PaylabError } from '../../gateway/engine/errors.js'
import { FAULT_NAMES, FAULTS, formatFault, parseFault } from '../../gateway/engine/faults.js'
import { DECLINE_MESSAGES, formatOutcome, parseOutcome, type DeclineCode } from '../../gateway/engine/outcomes.js'

function refusal (t: Test, fn: () => unknown, field: string, what: string): void {
  try {
    fn()
    t.fail(`${what}: accepted`)
  } catch (err) {
    t.ok(err instanceof PaylabError, `${what}: a PaylabError`)
    t.equal((err as PaylabError).code, 'PAYLAB_VALIDATION_FAILED', what)
    t.equal((err as PaylabError).statusCode, 400, what)
    t.equal((err as PaylabError).details.field, field, `${what}: names the field`)
  }
}

t.test('every fault parses bare to its default, and with a parameter where it takes one', async (t) => {
  for (const name of FAULT_NAMES) {
    const def = FAULTS[name]
    t.same(parseFault(name), { name, value: def.default }, name)
    t.same(parseFault(` ${name} ; `), { name, value: def.default }, `${name} with blanks and an empty parameter`)
    if (def.param === undefined) {
      refusal(t, () => parseFault(`${name};5`), 'Paylab-Scenario', `${name};5`)
      continue
    }
    t.same(parseFault(`${name};7`), { name, value: 7 }, `${name};7`)
    t.same(parseFault(`${name};${def.param}=9`), { name, value: 9 }, `${name};${def.param}=9`)
    t.same(parseFault(`${name};${def.max}`), { name, value: def.max }, `${name} at its maximum`)
    refusal(t, () => parseFault(`${name};${def.max + 1}`), 'Paylab-Scenario', `${name} above its maximum`)
  }
})

t.test('parameters are whole decimal numbers under their own name, and only one', async (t) => {
  t.same(parseFault('http_503;retry_after=5'), { name: 'http_503', value: 5 })
  t.same(parseFault('delay;0'), { name: 'delay', value: 0 })
  for (const text of ['delay;-1', 'delay;1.5', 'delay;1e3', 'delay;0x10', 'delay;abc', 'delay;=', 'delay;retry_after=5',
    'delay;100;200', 'http_503;ms=5', 'delay;99999999999']) {
    refusal(t, () => parseFault(text), 'Paylab-Scenario', text)
  }
})

t.test('unknown faults are refused and the message lists the known ones', async (t) => {
  for (const text of ['', 'reset', 'DELAY', 'http_404', 'outcome=succeed', 'toString', '__proto__']) {
    refusal(t, () => parseFault(text, 'fault'), 'fault', JSON.stringify(text))
  }
  let message = ''
  try { parseFault('nope') } catch (err) { message = (err as Error).message }
  for (const name of FAULT_NAMES) t.match(message, name, `the message names ${name}`)
})

t.test('formatFault reads back as the same fault', async (t) => {
  for (const name of FAULT_NAMES) {
    for (const value of FAULTS[name].param === undefined ? [0] : [0, 1, FAULTS[name].max]) {
      t.same(parseFault(formatFault({ name, value })), { name, value }, `${name} ${value}`)
    }
  }
  t.equal(formatFault({ name: 'connection_reset', value: 0 }), 'connection_reset', 'no parameter, no ;')
  t.equal(formatFault({ name: 'delay', value: 100 }), 'delay;100')
})

t.test('outcomes: succeed, every decline code, challenge and processing with what follows', async (t) => {
  t.same(parseOutcome('succeed'), { kind: 'succeed' })
  for (const code of Object.keys(DECLINE_MESSAGES) as DeclineCode[]) {
    t.same(parseOutcome(`decline:${code}`), { kind: 'decline', code }, code)
  }
  t.same(parseOutcome('challenge'), { kind: 'challenge', then: { kind: 'succeed' } }, 'challenge passes to success by default')
  t.same(parseOutcome('processing'), { kind: 'processing', then: { kind: 'succeed' } })
  t.same(parseOutcome('challenge:decline:insufficient_funds'), { kind: 'challenge', then: { kind: 'decline', code: 'insufficient_funds' } })
  t.same(parseOutcome(' processing:decline:processing_error '), { kind: 'processing', then: { kind: 'decline', code: 'processing_error' } })
})

t.test('outcomes that are not one are refused', async (t) => {
  for (const text of ['', 'success', 'decline', 'decline:', 'decline:nope', 'decline:toString', 'challenge:challenge',
    'processing:challenge', 'challenge:processing', 'succeed:now', 'declined:card_declined']) {
    refusal(t, () => parseOutcome(text), 'outcome', JSON.stringify(text))
  }
  refusal(t, () => parseOutcome('decline:x', 'Paylab-Scenario'), 'Paylab-Scenario', 'the field is the caller’s')
})

t.test('formatOutcome reads back as the same outcome', async (t) => {
  const texts = ['succeed', 'challenge', 'processing', 'challenge:decline:insufficient_funds', 'processing:decline:payment_declined',
    ...Object.keys(DECLINE_MESSAGES).map((c) => `decline:${c}`)]
  for (const text of texts) t.equal(formatOutcome(parseOutcome(text)), text, text)
})
