// A scenario as the runner holds it once its file has been read and checked.

/** Where something is in a scenario file (1-based). */
export interface Position { file: string, line: number, column: number }

export type CaptureSpec = string | { json: string } | { header: string } | { status: true }

export interface CheckSpec {
  status?: unknown
  headers?: Record<string, unknown>
  json?: Record<string, unknown>
  body?: unknown
}

export interface Step {
  /** 1-based, for the report. */
  number: number
  line: number
  /** The action: `shop.order`, `http`, `expect.gateway`, … */
  kind: string
  args: unknown
  name?: string
  capture?: Record<string, CaptureSpec>
  check?: CheckSpec
  withinMs?: number
  everyMs?: number
  took?: { atLeastMs?: number, atMostMs?: number }
}

export interface Scenario {
  file: string
  /** Line of the scenario's first key; several scenarios may share a file (YAML documents). */
  line: number
  name: string
  description?: string
  tags: string[]
  seed?: number
  timeoutMs: number
  exclusive: boolean
  vars: Record<string, unknown>
  merchant: {
    signature?: 'HMAC-SHA256' | 'RSA-SHA256'
    answer_signature_type?: 'HMAC-SHA256' | 'RSA-SHA256'
    notify_retry_schedule?: number[]
  }
  shop: { timeoutMs?: number, maxAttempts?: number }
  steps: Step[]
}

/** What an action answered: steps check and capture from this. */
export interface Answer {
  status: number
  headers: Record<string, string>
  text: string
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown
}

export interface Mismatch { path: string, expected: unknown, seen: unknown, note?: string }

export interface Failure {
  step: Step | undefined
  message: string
  mismatches: Mismatch[]
  /** Recent gateway journal lines of the scenario's merchant. */
  journal: string[]
}

export type Outcome = 'passed' | 'failed' | 'error' | 'skipped'

export interface ScenarioResult {
  scenario: Scenario
  outcome: Outcome
  ms: number
  failure?: Failure
  skipReason?: string
}

/** A failed expectation: the scenario fails (exit 1). */
export class ExpectationFailed extends Error {
  constructor (message: string, readonly mismatches: Mismatch[] = []) { super(message) }
}

/** A service could not be reached or refused the runner itself: a runtime error (exit 3). */
export class RuntimeProblem extends Error {}
