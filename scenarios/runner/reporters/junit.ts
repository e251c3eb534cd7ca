// JUnit XML for CI: a testsuite per file, a testcase per scenario.
import type { LoadProblem } from '../load.js'
import type { ScenarioResult } from '../types.js'
import { failureLines, seconds, totals } from './format.js'

/** XML text: the five entities escaped, and characters XML 1.0 cannot hold dropped. */
export function xml (text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

export function junitXml (results: ScenarioResult[], ms: number, timestamp = new Date()): string {
  const files = [...new Set(results.map((r) => r.scenario.file))]
  const suites = files.map((file) => {
    const mine = results.filter((r) => r.scenario.file === file)
    const t = totals(mine)
    const cases = mine.map((r) => {
      const attrs = `name="${xml(r.scenario.name)}" classname="${xml(file)}" file="${xml(file)}" line="${r.scenario.line}" time="${seconds(r.ms)}"`
      if (r.outcome === 'passed') return `    <testcase ${attrs}/>`
      if (r.outcome === 'skipped') return `    <testcase ${attrs}>\n      <skipped message="${xml(r.skipReason ?? '')}"/>\n    </testcase>`
      const tag = r.outcome === 'error' ? 'error' : 'failure'
      const text = failureLines(r).join('\n')
      return `    <testcase ${attrs}>\n      <${tag} message="${xml(r.failure?.message ?? '')}" type="${tag === 'error' ? 'RuntimeError' : 'ExpectationFailed'}">${xml(text)}</${tag}>\n    </testcase>`
    })
    const time = seconds(mine.reduce((sum, r) => sum + r.ms, 0))
    return `  <testsuite name="${xml(file)}" tests="${mine.length}" failures="${t.failed}" errors="${t.errors}" skipped="${t.skipped}" time="${time}" timestamp="${timestamp.toISOString().slice(0, 19)}">\n${cases.join('\n')}\n  </testsuite>`
  })
  const t = totals(results)
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="paylab scenarios" tests="${results.length}" failures="${t.failed}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(ms)}">\n${suites.join('\n')}\n</testsuites>\n`
}

/**
 * When nothing ran because the files are invalid: a suite per file, each problem a failed
 * testcase named by its place, so that CI shows what to fix rather than no report at all.
 */
export function junitProblemsXml (problems: LoadProblem[], timestamp = new Date()): string {
  const files = [...new Set(problems.map((p) => p.file))]
  const suites = files.map((file) => {
    const mine = problems.filter((p) => p.file === file)
    const cases = mine.map((p) => {
      const attrs = `name="${xml(`${file}:${p.line}:${p.column}`)}" classname="${xml(file)}" file="${xml(file)}" line="${p.line}" time="0.000"`
      return `    <testcase ${attrs}>\n      <failure message="${xml(p.message)}" type="InvalidScenario">${xml(`${file}:${p.line}:${p.column}: ${p.message}`)}</failure>\n    </testcase>`
    })
    return `  <testsuite name="${xml(file)}" tests="${mine.length}" failures="${mine.length}" errors="0" skipped="0" time="0.000" timestamp="${timestamp.toISOString().slice(0, 19)}">\n${cases.join('\n')}\n  </testsuite>`
  })
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="paylab scenarios" tests="${problems.length}" failures="${problems.length}" errors="0" skipped="0" time="0.000">\n${suites.join('\n')}\n</testsuites>\n`
}
