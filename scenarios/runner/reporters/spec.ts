// The default reporter: a line per scenario as it finishes, the details of each failure under it,
// and the totals.
import type { ScenarioResult } from '../types.js'
import { failureLines, totals, type Totals } from './format.js'
import type { Reporter } from './reporter.js'

const MARK = { passed: '✓', failed: '✗', error: '!', skipped: '-' } as const

export function specReporter (write: (text: string) => void): Reporter {
  return {
    start (count, header) { write(`${header}\n${count} scenario${count === 1 ? '' : 's'}\n\n`) },
    result (r: ScenarioResult) {
      const time = r.outcome === 'skipped' ? r.skipReason ?? 'skipped' : `${r.ms} ms`
      const label = r.outcome === 'error' ? ' (runtime error)' : ''
      write(`  ${MARK[r.outcome]} ${r.scenario.name}  (${time})${label}\n`)
      for (const line of failureLines(r)) write(`      ${line}\n`)
      if (r.failure !== undefined) write('\n')
    },
    end (results: ScenarioResult[], ms: number) {
      const t: Totals = totals(results)
      write(`\n${t.passed} passed, ${t.failed + t.errors} failed, ${t.skipped} skipped\n`)
      if (t.errors > 0) write(`${t.errors} could not run: a service was unreachable\n`)
      write(`time: ${(ms / 1000).toFixed(1)} s\n`)
    }
  }
}
