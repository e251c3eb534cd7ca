// What a step's action gives back: the answer to check and capture from, and for expectations
// the mismatches they found themselves.
import type { ScenarioContext } from '../context.js'
import type { Answer, Mismatch } from '../types.js'

export interface StepOutput { answer: Answer, mismatches?: Mismatch[] }

export type Handler = (ctx: ScenarioContext, args: any) => Promise<StepOutput>

export type Handlers = Record<string, Handler>

/** An answer made by the runner itself (sleep, set, a receiver switch). */
export const localAnswer = (json: unknown): Answer => ({ status: 200, headers: {}, text: JSON.stringify(json) ?? '', json })
