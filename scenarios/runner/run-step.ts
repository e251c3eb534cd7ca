// One step: resolve its variables, act, check the answer, capture from it; with `within`, try
// again until it passes or the time is up.
import type { ScenarioContext } from './context.js'
import { query } from './jsonpath.js'
import { match } from './match.js'
import { channelSteps } from './steps/channels.js'
import { expectSteps } from './steps/expect.js'
import { gatewaySteps } from './steps/gateway.js'
import { genericSteps } from './steps/generic.js'
import { shopSteps } from './steps/shop.js'
import { alipaySteps } from './steps/alipay.js'
import { wechatpaySteps } from './steps/wechatpay.js'
import type { Handler, StepOutput } from './steps/types.js'
import { ExpectationFailed, type Answer, type CheckSpec, type Mismatch, type Step } from './types.js'

export const HANDLERS: Record<string, Handler> = { ...gatewaySteps, ...shopSteps, ...genericSteps, ...expectSteps, ...wechatpaySteps, ...channelSteps, ...alipaySteps }

export async function runStep (ctx: ScenarioContext, step: Step): Promise<void> {
  const started = Date.now()
  const every = step.everyMs ?? 100
  for (let tries = 1; ; tries++) {
    try {
      await attempt(ctx, step)
      return
    } catch (err) {
      if (step.withinMs === undefined) throw err
      const spent = Date.now() - started
      if (spent + every > step.withinMs) {
        if (err instanceof Error) err.message = `${err.message} (still so after ${spent} ms, ${tries} tries)`
        throw err
      }
      await new Promise((resolve) => setTimeout(resolve, every))
    }
  }
}

async function attempt (ctx: ScenarioContext, step: Step): Promise<void> {
  const handler = HANDLERS[step.kind]
  if (handler === undefined) throw new Error(`no step ${step.kind}`)
  const args = ctx.resolve(step.args)
  const t0 = performance.now()
  const out: StepOutput = await handler(ctx, args)
  const tookMs = Math.round(performance.now() - t0)
  const mismatches = [...(out.mismatches ?? []), ...checkAnswer(out.answer, ctx.resolve(step.check ?? {}) as CheckSpec)]
  if (step.took?.atLeastMs !== undefined && tookMs < step.took.atLeastMs) mismatches.push({ path: 'took', expected: `at least ${step.took.atLeastMs} ms`, seen: `${tookMs} ms` })
  if (step.took?.atMostMs !== undefined && tookMs > step.took.atMostMs) mismatches.push({ path: 'took', expected: `at most ${step.took.atMostMs} ms`, seen: `${tookMs} ms` })
  if (mismatches.length > 0) {
    throw new ExpectationFailed(`${step.kind}: ${mismatches.length === 1 ? 'a mismatch' : `${mismatches.length} mismatches`}`, mismatches)
  }
  for (const [name, spec] of Object.entries(step.capture ?? {})) {
    const value = capture(out.answer, spec)
    if (value === undefined) throw new ExpectationFailed(`capture ${name}: ${JSON.stringify(spec)} found nothing in the answer`, [{ path: name, expected: 'a value', seen: out.answer.text.slice(0, 300) }])
    ctx.vars.set(name, value)
  }
}

export function checkAnswer (answer: Answer, check: CheckSpec): Mismatch[] {
  const out: Mismatch[] = []
  if (check.status === undefined) {
    if (answer.status >= 400) out.push({ path: 'status', expected: 'below 400 (no status check)', seen: `${answer.status} ${errorOf(answer)}`.trim() })
  } else {
    out.push(...match(answer.status, check.status, 'status').map((m) => ({ ...m, ...(answer.status >= 400 ? { note: errorOf(answer) } : {}) })))
  }
  for (const [name, expected] of Object.entries(check.headers ?? {})) out.push(...match(answer.headers[name.toLowerCase()], expected, `headers.${name}`))
  for (const [path, expected] of Object.entries(check.json ?? {})) out.push(...match(query(answer.json, path), expected, path))
  if (check.body !== undefined) out.push(...match(answer.text, check.body, 'body'))
  return out
}

function capture (answer: Answer, spec: NonNullable<Step['capture']>[string]): unknown {
  if (typeof spec === 'string') return query(answer.json, spec)
  if ('json' in spec) return query(answer.json, spec.json)
  if ('header' in spec) return answer.headers[spec.header.toLowerCase()]
  return answer.status
}

/** The error code and message of a paylab or shop error answer, for the report. */
function errorOf (answer: Answer): string {
  const e = (answer.json as { error?: { code?: string, message?: string } } | undefined)?.error
  if (e !== undefined) return `${e.code ?? ''}: ${e.message ?? ''}`
  return answer.text.slice(0, 200)
}
