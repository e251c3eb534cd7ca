// The transport faults a real channel produces, as data: their names, parameters, whether the
// request is processed (committed) before the fault, and how to ask for one. The adapters carry
// them out on their transport (a real socket for Fastify); docs/failures.md describes each and a
// test keeps that page and this table in step.
import { VALIDATION_FAILED } from './errors.js'

export const FAULTS = {
  delay: { committed: true, param: 'ms', default: 2000, max: 120_000, what: 'answer after N ms, then the normal result' },
  slow_body: { committed: true, param: 'ms', default: 200, max: 10_000, what: 'the normal answer dribbled in 8 chunks, N ms apart' },
  timeout_not_processed: { committed: false, param: 'ms', default: 30_000, max: 600_000, what: 'hold the connection without an answer until the client gives up or N ms pass, then close it; nothing is processed' },
  response_lost: { committed: true, param: 'ms', default: 0, max: 600_000, what: 'process and commit, then hold N ms and destroy the socket without an answer' },
  connection_reset: { committed: false, param: undefined, default: 0, max: 0, what: 'a TCP reset (RST) before anything is processed' },
  empty_response: { committed: false, param: undefined, default: 0, max: 0, what: 'close the connection without a byte; nothing is processed' },
  http_500: { committed: false, param: undefined, default: 0, max: 0, what: '500 with an error body; nothing is processed' },
  http_502: { committed: false, param: undefined, default: 0, max: 0, what: '502 with an error body; nothing is processed' },
  http_503: { committed: false, param: 'retry_after', default: 1, max: 3600, what: '503 with Retry-After (seconds, default 1); nothing is processed' },
  http_429: { committed: false, param: 'retry_after', default: 1, max: 3600, what: '429 with Retry-After (seconds, default 1); nothing is processed' },
  malformed_body: { committed: true, param: undefined, default: 0, max: 0, what: 'process and commit, then answer 200 with the JSON cut in half (correctly signed)' },
  bad_signature: { committed: true, param: undefined, default: 0, max: 0, what: 'process and commit, then answer with a valid body and a wrong signature' },
  unknown_key: { committed: true, param: undefined, default: 0, max: 0, what: 'process and commit, then sign the answer with RSA under a key id the merchant was never given' },
  stale_timestamp: { committed: true, param: 'seconds', default: 3600, max: 10 * 365 * 86400, what: 'process and commit, then sign the answer with a timestamp N seconds old (default 3600)' }
} as const

export type FaultName = keyof typeof FAULTS
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[]

export interface FaultSpec { name: FaultName, value: number }

export const isFaultName = (name: string): name is FaultName => Object.hasOwn(FAULTS, name)

/** Parses `<fault>[;param]`, e.g. `delay;1500`, `http_503;retry_after=5`, `response_lost`. */
export function parseFault (text: string, field = 'Paylab-Scenario'): FaultSpec {
  const parts = text.trim().split(';').map((s) => s.trim())
  const [rawName = '', param = ''] = parts
  if (!isFaultName(rawName)) {
    throw VALIDATION_FAILED(`${field}: unknown fault ${JSON.stringify(rawName)}; one of ${FAULT_NAMES.join(', ')}`, { field })
  }
  const def = FAULTS[rawName]
  if (parts.length <= 2 && param === '') return { name: rawName, value: def.default }
  // `N` or `<param>=N` in decimal digits only: `delay;1e3`, `delay;0x10`, `delay;5;x` or
  // `delay;retry_after=5` are typos, not 1000, 16 or 5 ms.
  const eq = param.indexOf('=')
  const key = eq < 0 ? def.param : param.slice(0, eq).trim()
  const digits = param.slice(eq + 1).trim()
  const value = /^\d{1,10}$/.test(digits) ? Number(digits) : NaN
  if (def.param === undefined || parts.length > 2 || key !== def.param || !(value <= def.max)) {
    throw VALIDATION_FAILED(def.param === undefined
      ? `${field}: ${rawName} takes no parameter`
      : `${field}: ${rawName} takes ${def.param} as a whole number from 0 to ${def.max}`, { field })
  }
  return { name: rawName, value }
}

export const formatFault = (f: FaultSpec): string => FAULTS[f.name].param === undefined ? f.name : `${f.name};${f.value}`

/** Magic amounts (minor units) that ask for a transport fault on a create or a /pay. */
export const FAULT_AMOUNTS: Readonly<Record<number, FaultSpec>> = {
  50001: { name: 'delay', value: 2000 },
  50002: { name: 'slow_body', value: 200 },
  50003: { name: 'timeout_not_processed', value: 30_000 },
  50004: { name: 'response_lost', value: 0 },
  50005: { name: 'connection_reset', value: 0 },
  50006: { name: 'empty_response', value: 0 },
  50007: { name: 'malformed_body', value: 0 },
  50008: { name: 'bad_signature', value: 0 },
  50009: { name: 'unknown_key', value: 0 },
  50010: { name: 'stale_timestamp', value: 3600 },
  50500: { name: 'http_500', value: 0 },
  50502: { name: 'http_502', value: 0 },
  50503: { name: 'http_503', value: 1 },
  50429: { name: 'http_429', value: 1 }
}
