// Steps that are not about paylab: any HTTP request (a team's own service), a pause, variables.
import { parseDuration } from '../../../gateway/engine/duration.js'
import { send } from '../http.js'
import { localAnswer, type Handlers } from './types.js'

type Args = Record<string, any>

const ms = (v: unknown): number => typeof v === 'number' ? v : parseDuration(String(v))

export const genericSteps: Handlers = {
  http: async (_ctx, args: Args) => {
    const headers: Record<string, string> = { ...args.headers }
    let body: string | undefined
    if (args.json !== undefined) { body = JSON.stringify(args.json); headers['content-type'] ??= 'application/json' }
    if (args.form !== undefined) { body = new URLSearchParams(args.form as Record<string, string>).toString(); headers['content-type'] ??= 'application/x-www-form-urlencoded' }
    if (args.body !== undefined) body = String(args.body)
    const method = args.method ?? (body === undefined ? 'GET' : 'POST')
    return { answer: await send(String(args.url), { method, headers, ...(body === undefined ? {} : { body }), timeoutMs: args.timeout === undefined ? 30_000 : ms(args.timeout) }) }
  },
  sleep: async (_ctx, duration: unknown) => {
    await new Promise((resolve) => setTimeout(resolve, ms(duration)))
    return { answer: localAnswer({ slept_ms: ms(duration) }) }
  },
  set: async (ctx, values: Args) => {
    for (const [k, v] of Object.entries(values)) ctx.vars.set(k, v)
    return { answer: localAnswer(values) }
  }
}
