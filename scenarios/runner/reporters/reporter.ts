import type { ScenarioResult } from '../types.js'

/** Gets the results in the scenarios' order, each as soon as it is known. */
export interface Reporter {
  start: (count: number, header: string) => void
  result: (result: ScenarioResult, index: number) => void
  end: (results: ScenarioResult[], ms: number) => void
}
