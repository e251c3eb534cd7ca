// What a channel profile is to the gateway: an encapsulated Fastify plugin (its routes, its own
// auth hook, answer signing and error format), how its requests are told apart from others on
// the same paths (the `channel` route constraint), and the parts the engine calls (its
// notification codec and merchant credentials hook). docs/channels/README.md explains how one is built.
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyPluginAsync } from 'fastify'
import type { ChannelParts } from '../engine/channels.js'
import type { Engine } from '../engine/engine.js'

export interface ChannelProfile {
  /** The name payments, events, journal entries and `channels.<name>` credentials carry. */
  name: string
  /** The profile's routes and hooks; registered encapsulated, so its hooks serve its routes only. */
  plugin: FastifyPluginAsync
  /**
   * Whether a request's credential headers are this profile's. Routes declared with
   * `constraints: { channel: name }` match only such requests; a request no profile recognizes
   * takes the unconstrained route on the same path (paylab's own).
   */
  recognize?: (headers: IncomingHttpHeaders) => boolean
  /** The engine's parts of the profile, given the engine they are registered with. */
  engineParts?: (engine: Engine) => ChannelParts
  /** Runs once the gateway is built (e.g. give the demo merchant credentials for the quick start). */
  onReady?: (engine: Engine) => Promise<void>
}
