// TAP version 14: a test point per scenario, with a YAML diagnostic block for a failure.
import { stringify } from 'yaml'
import type { ScenarioResult } from '../types.js'
import { mismatchLine, stepLabel, totals } from './format.js'
import type { Reporter } from './reporter.js'

/** A description may not hold `#` (a directive follows it) or a newline. */
const description = (name: string): string => name.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/\s+/g, ' ')

export function tapReporter (write: (text: string) => void): Reporter {
  return {
    start (count, header) { write(`TAP version 14\n# ${header.replace(/\n/g, ' ')}\n1..${count}\n`) },
    result (r: ScenarioResult, index: number) {
      const n = index + 1
      if (r.outcome === 'skipped') { write(`ok ${n} - ${description(r.scenario.name)} # SKIP ${(r.skipReason ?? '').replace(/\s+/g, ' ')}\n`); return }
      write(`${r.outcome === 'passed' ? 'ok' : 'not ok'} ${n} - ${description(r.scenario.name)} # time=${r.ms}ms\n`)
      if (r.failure === undefined) return
      const diag = {
        at: stepLabel(r),
        message: r.failure.message,
        ...(r.outcome === 'error' ? { severity: 'runtime error' } : {}),
        ...(r.failure.mismatches.length === 0 ? {} : { mismatches: r.failure.mismatches.map(mismatchLine) }),
        ...(r.failure.journal.length === 0 ? {} : { journal: r.failure.journal })
      }
      const block = stringify(diag, { lineWidth: 0 }).trimEnd().split('\n').map((l) => `  ${l}`).join('\n')
      write(`  ---\n${block}\n  ...\n`)
    },
    end (results: ScenarioResult[], ms: number) {
      const t = totals(results)
      write(`# pass ${t.passed}\n# fail ${t.failed + t.errors}\n# skip ${t.skipped}\n# time=${ms}ms\n`)
    }
  }
}
