// The `channel` route constraint: one port, one path namespace, several protocols. Stripe's
// `/v1/refunds/:id` and paylab's are the same path; the request's credential headers say whose
// it is (each profile's `recognize`), and find-my-way picks the route declared with
// `constraints: { channel: '<name>' }`, or the unconstrained one when no profile claims it.
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { ChannelProfile } from './profile.js'

type Strategy = Parameters<FastifyInstance['addConstraintStrategy']>[0]

export function channelConstraint (profiles: readonly ChannelProfile[]): Strategy {
  const recognizers = profiles.filter((p) => p.recognize !== undefined).map((p) => [p.name, p.recognize] as const)
  return {
    name: 'channel',
    storage () {
      const stores = new Map<string, unknown>()
      return {
        get: (value: string) => stores.get(value) ?? null,
        set: (value: string, store: unknown) => { stores.set(value, store) }
      }
    },
    deriveConstraint (req: IncomingMessage) {
      for (const [name, recognize] of recognizers) if (recognize?.(req.headers) === true) return name
      return undefined
    },
    // A request a profile claims may still reach an unconstrained route (paylab's own /v1/payments).
    mustMatchWhenDerived: false,
    validate (value: unknown) {
      if (typeof value !== 'string' || !profiles.some((p) => p.name === value)) throw new Error(`constraints.channel must name a channel profile, not ${String(value)}`)
    }
  } as unknown as Strategy
}
