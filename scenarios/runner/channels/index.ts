// How the runner speaks each channel profile's wire for `channel.request`: each channel gives the
// headers and body bytes of a request as the scenario's merchant (with that merchant's
// credentials for the channel). Add a channel with one file here and one line below.
import type { ScenarioContext } from '../context.js'
import { stripeRequest } from './stripe.js'

export interface ChannelRequestArgs {
  method: string
  path: string
  body?: unknown
  idempotency_key?: string
  headers?: Record<string, string>
  /** `wrong_key`: credentials the gateway does not know. */
  break?: string
}

export type ChannelRequestMaker = (ctx: ScenarioContext, args: ChannelRequestArgs) => Promise<{ headers: Record<string, string>, body: string }>

export const CHANNEL_REQUESTS: ReadonlyMap<string, ChannelRequestMaker> = new Map([
  ['stripe', stripeRequest]
])
