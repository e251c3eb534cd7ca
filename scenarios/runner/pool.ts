// Runs scenarios N at a time. An exclusive scenario (one that moves the gateway clock, which every
// scenario shares) waits for the running ones to finish and runs alone. Results are handed on in
// the scenarios' own order, each as soon as it and those before it are done.
import type { Scenario, ScenarioResult } from './types.js'

export async function runPool (
  scenarios: Scenario[],
  parallel: number,
  run: (scenario: Scenario) => Promise<ScenarioResult>,
  onResult: (result: ScenarioResult, index: number) => void
): Promise<ScenarioResult[]> {
  const results = new Array<ScenarioResult | undefined>(scenarios.length)
  let next = 0
  const flush = () => {
    while (next < results.length && results[next] !== undefined) { onResult(results[next] as ScenarioResult, next); next++ }
  }
  const active = new Set<Promise<void>>()
  const start = (scenario: Scenario, i: number) => {
    const p = run(scenario).then((r) => { results[i] = r; flush() }).finally(() => active.delete(p))
    active.add(p)
  }
  for (const [i, scenario] of scenarios.entries()) {
    if (scenario.exclusive) {
      await Promise.all(active)
      start(scenario, i)
      await Promise.all(active)
    } else {
      while (active.size >= Math.max(1, parallel)) await Promise.race(active)
      start(scenario, i)
    }
  }
  await Promise.all(active)
  return results as ScenarioResult[]
}
