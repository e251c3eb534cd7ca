// `channel.request`: a request in a channel profile's own wire (Stripe's form bodies and API key…)
// as the scenario's merchant, for scenarios that drive a profile directly (runner/channels/).
import { send } from '../http.js'
import { CHANNEL_REQUESTS, type ChannelRequestArgs } from '../channels/index.js'
import { ExpectationFailed } from '../types.js'
import type { Handlers } from './types.js'

export const channelSteps: Handlers = {
  'channel.request': async (ctx, args: ChannelRequestArgs & { channel: string }) => {
    const make = CHANNEL_REQUESTS.get(args.channel)
    if (make === undefined) throw new ExpectationFailed(`channel.request: no channel ${JSON.stringify(args.channel)}; one of ${[...CHANNEL_REQUESTS.keys()].join(', ')}`)
    const { headers, body } = await make(ctx, args)
    return { answer: await send(`${ctx.services.gatewayUrl}${args.path}`, { method: args.method, headers, ...(body === '' ? {} : { body }) }) }
  }
}
