// JSONPath over an answer (jsonpath-plus, with its safe evaluator for filters). A definite path
// ($.id, $.refunds[0].amount, $.items.length) gives one value, or undefined when nothing is
// there; a path that can select several ($.timeline[*].kind, $..id, $.a[?(@.x>1)]) gives the list.
import { JSONPath } from 'jsonpath-plus'

export function isDefinite (path: string): boolean {
  return !/\*|\.\.|\?\(|\[[^\]]*[:,][^\]]*\]/.test(path)
}

export function query (json: unknown, path: string): unknown {
  if (json === undefined) return undefined
  const found = JSONPath<unknown[]>({ path, json: json as object, wrap: true, eval: 'safe' })
  return isDefinite(path) ? found[0] : found
}
