// Carries out the sandbox's transport faults on the real socket. The engine decides (header,
// rule or magic amount); this plugin acts: before processing for the faults that leave nothing
// committed, after it (on the answer) for those that commit and then misbehave. The same hooks
// serve every channel profile: a profile says whose request it is and how it signs an answer.
import { setTimeout as sleep } from 'node:timers/promises'
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { SigningFault } from '../engine/auth.js'
import { PaylabError, SIMULATED_FAULT, STORAGE_UNAVAILABLE } from '../engine/errors.js'
import { FAULTS, type FaultSpec } from '../engine/faults.js'
import type { Decision } from '../engine/sandbox.js'
import { socketFaults, type TransportFaults } from './transport-faults.js'

declare module 'fastify' {
  interface FastifyRequest {
    decision: Decision | undefined
  }
  interface FastifyInstance {
    /** How connection faults are acted out (on the socket, or marked for an in-process adapter). */
    transportFaults: TransportFaults
  }
  interface FastifyContextConfig {
    /** The route (a POST) creates a payment: magic amounts and outcome rules apply to it. */
    create?: boolean
  }
}

/** Whose request this is, in the engine's terms; a profile reads it off its own wire. */
export interface SandboxTarget {
  merchantId: string
  merchantOrderId?: string | undefined
  /** Minor units; read for creates only. */
  amount?: number | undefined
  /**
   * Whether the request creates a payment, for a route that serves several operations (Alipay's
   * one `/gateway.do` for every method); undefined: the route's `config.create` says.
   */
  isCreate?: boolean | undefined
}

export interface SandboxedOptions {
  /** Undefined when the request is not the profile's to decide on (not authenticated): it then goes as it is. */
  target: (request: FastifyRequest) => SandboxTarget | undefined
  /** Signs a changed answer again (malformed_body), or signs it wrong (`fault`), as the profile signs answers. */
  resign: (request: FastifyRequest, reply: FastifyReply, body: Buffer, fault?: SigningFault) => void
}

export interface FaultsOptions { transport?: TransportFaults }

/** Times a decision is made again because other gateways counted hits on its rules first. */
const MAX_DECISIONS = 20

/** The root part: decorations and the transport; the hooks are `sandboxed`, per channel scope. */
export default fp<FaultsOptions>(async (app, options) => {
  const transport = options.transport ?? socketFaults()
  app.decorateRequest('decision', undefined)
  app.decorate('transportFaults', transport)
  app.addHook('onClose', async () => { transport.close() })
}, { name: 'faults', dependencies: ['engine'] })

/**
 * Puts every request of the scope it is registered in through the sandbox (faults, rules,
 * magic amounts): register it in a channel profile's scope after the hook that signs answers.
 */
export const sandboxed = fp<SandboxedOptions>(async (app, { target, resign }) => {
  const { engine, transportFaults: transport } = app

  // Callback-style hooks (see channels/paylab/protocol.ts): most requests carry no fault to wait for.
  app.addHook('preHandler', (request, reply, done) => {
    const act = (fault: FaultSpec | undefined): void => {
      if (fault === undefined) done()
      else before(request, reply, fault, transport).then(() => done(), done)
    }
    // With a shared store, the rule hits of the decision are committed first; another gateway
    // counting a hit on the same rule first means deciding again.
    const settle = (runs: number): void => {
      const fault = decide(request)
      const committing = engine.commitDecision()
      if (committing === undefined) act(fault)
      else {
        committing.then((kept) => {
          if (kept) act(fault)
          else if (runs < MAX_DECISIONS) settle(runs + 1)
          else done(STORAGE_UNAVAILABLE('other gateways on the same database keep counting hits on the rules of this request first; retry in a moment', { retry_after: 1 }))
        }, done)
      }
    }
    settle(1)
  })

  /** The sandbox's decision on a request, kept on it; returns the fault to act out before processing, if any. */
  function decide (request: FastifyRequest): FaultSpec | undefined {
    const who = target(request)
    if (who === undefined) return undefined
    // Creates are POSTs: other requests skip request.routeOptions, which Fastify builds anew at each read.
    const isCreate = who.isCreate ?? (request.method === 'POST' && request.routeOptions.config.create === true)
    const scenario = request.headers['paylab-scenario']
    const url = request.url
    const query = url.indexOf('?')
    const decision = engine.decideRequest({
      merchantId: who.merchantId,
      method: request.method,
      path: query === -1 ? url : url.slice(0, query),
      headers: request.headers,
      merchantOrderId: who.merchantOrderId,
      amount: isCreate ? who.amount : undefined,
      scenario: Array.isArray(scenario) ? scenario[0] : scenario,
      isCreate
    })
    request.decision = decision
    const entry = request.journalEntry
    if (entry !== undefined) {
      // Most requests are decided on with nothing to do, on an entry that has nothing yet (a
      // decision taken again, with a shared store, may have to clear the first one's).
      const changes = decision.fault !== undefined || decision.outcome !== undefined || entry.fault !== null || entry.outcome !== null || entry.rule_id !== null
      if (changes) Object.assign(entry, engine.describeDecision(decision))
      entry.merchant_order_id = who.merchantOrderId ?? null
    }
    return decision.fault
  }

  app.addHook('onSend', (request, reply, payload, done) => {
    const fault = request.decision?.fault
    if (fault === undefined || !FAULTS[fault.name].committed || fault.name === 'delay') done(null, payload)
    else after(request, reply, fault, payload).then((sent) => done(null, sent), done)
  })

  async function after (request: FastifyRequest, reply: FastifyReply, fault: FaultSpec, payload: unknown): Promise<unknown> {
    const body = toBuffer(payload)
    switch (fault.name) {
      case 'malformed_body': {
        const broken = body.subarray(0, Math.floor(body.length / 2))
        resign(request, reply, broken)
        return broken
      }
      case 'bad_signature': resign(request, reply, body, { kind: 'bad_signature' }); return body
      case 'unknown_key': resign(request, reply, body, { kind: 'unknown_key' }); return body
      case 'stale_timestamp': resign(request, reply, body, { kind: 'stale_timestamp', seconds: fault.value }); return body
      case 'slow_body':
        return transport.slowBody(reply, body, fault.value)
      case 'response_lost':
        markNoAnswer(request)
        return await transport.loseAnswer(request, reply, body, fault.value)
    }
    return payload
  }
}, { dependencies: ['engine', 'faults'] })

/** Faults that act before the request is processed: nothing is committed. */
async function before (request: FastifyRequest, reply: FastifyReply, fault: FaultSpec, transport: TransportFaults): Promise<void> {
  switch (fault.name) {
    case 'delay':
      await sleep(fault.value)
      return
    case 'connection_reset': case 'empty_response': case 'timeout_not_processed':
      markNoAnswer(request)
      await transport.noAnswer(request, reply, fault.name, fault.value)
      return
    case 'http_500': case 'http_502': case 'http_503': case 'http_429': {
      const status = Number(fault.name.slice(5))
      if (fault.name === 'http_503' || fault.name === 'http_429') reply.header('Retry-After', String(fault.value))
      throw new PaylabError({ ...SIMULATED_FAULT, statusCode: status }, `simulated ${fault.name}: ${SIMULATED_FAULT.message}`, { fault: fault.name })
    }
  }
}

function markNoAnswer (request: FastifyRequest): void {
  const entry = request.journalEntry
  if (entry !== undefined) { entry.status = null; entry.latency_ms = Math.round(performance.now() - request.startedAt) }
}

function toBuffer (payload: unknown): Buffer {
  if (payload === null || payload === undefined) return Buffer.alloc(0)
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload as string) // serialized: a string or a Buffer
}
