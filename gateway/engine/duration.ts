import { VALIDATION_FAILED } from './errors.js'

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `1500ms`, `30s`, `15m`, `1h30m`, `2d` → milliseconds. */
export function parseDuration (text: string, field = 'duration'): number {
  const parts = [...text.trim().matchAll(/(\d+)(ms|s|m|h|d)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) {
    throw VALIDATION_FAILED(`${field} must look like 1500ms, 30s, 15m, 1h30m or 2d`, { field })
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] as string] as number), 0)
}
