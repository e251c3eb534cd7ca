// Carries out the sandbox's transport faults on the real socket. The engine decides (header,
// rule or magic amount); this plugin acts: before processing for the faults that leave nothing
// committed, after it (on the answer) for those that commit and then misbehave.
import { setTimeout as sleep } from 'node:timers/promises'
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { SigningFault } from '../engine/auth.js'
import { PaylabError, SIMULATED_FAULT } from '../engine/errors.js'
import { FAULTS, type FaultSpec } from '../engine/faults.js'
import { majorToMinor } from '../engine/money.js'
import { SEED_MERCHANT_ID } from '../engine/pay.js'
import type { Decision } from '../engine/sandbox.js'
import { socketFaults, type TransportFaults } from './transport-faults.js'

declare module 'fastify' {
  interface FastifyRequest {
    decision: Decision | undefined
  }
}

const CREATE_ROUTES = new Set(['/v1/payments', '/pay'])

export const faultsApply = (url: string | undefined): boolean => url !== undefined && (url.startsWith('/v1/') || url === '/pay')

export interface FaultsOptions { transport?: TransportFaults }

export default fp<FaultsOptions>(async (app, options) => {
  const { engine } = app
  const transport = options.transport ?? socketFaults()
  app.decorateRequest('decision', undefined)
  app.addHook('onClose', async () => { transport.close() })

  // Callback-style hooks (see protocol.ts): most requests carry no fault to wait for.
  app.addHook('preHandler', (request, reply, done) => {
    const fault = decide(request)
    if (fault === undefined) done()
    else before(request, reply, fault, transport).then(() => done(), done)
  })

  /** The sandbox's decision on a request, kept on it; returns the fault to act out before processing, if any. */
  function decide (request: FastifyRequest): FaultSpec | undefined {
    const route = request.routeOptions.url
    if (!faultsApply(route)) return undefined
    const isPay = route === '/pay'
    const merchantId = isPay ? SEED_MERCHANT_ID : request.identity?.merchant.id
    if (merchantId === undefined) return undefined
    const body = (request.body ?? {}) as Record<string, unknown>
    const isCreate = request.method === 'POST' && CREATE_ROUTES.has(route as string)
    const scenario = request.headers['paylab-scenario']
    const decision = engine.sandbox.decide({
      merchantId,
      method: request.method,
      path: request.url.split('?')[0] as string,
      headers: request.headers,
      merchantOrderId: stringOf(isPay ? body.order_id : body.merchant_order_id),
      amount: isCreate ? amountOf(body, isPay) : undefined,
      scenario: Array.isArray(scenario) ? scenario[0] : scenario,
      isCreate
    })
    request.decision = decision
    if (request.journalEntry !== undefined) {
      Object.assign(request.journalEntry, engine.sandbox.describe(decision))
      request.journalEntry.merchant_order_id = stringOf(isPay ? body.order_id : body.merchant_order_id) ?? null
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

  /** Re-signs a changed answer; the source document's /pay has only a signature to get wrong. */
  function resign (request: FastifyRequest, reply: FastifyReply, body: Buffer, fault?: SigningFault): void {
    if (request.routeOptions.url === '/pay') {
      const signature = engine.paySignature(body)
      reply.header('Signature', fault === undefined ? signature : `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`)
      return
    }
    if (request.identity !== undefined) reply.headers(engine.signAnswer(request.identity, body, fault))
  }
}, { name: 'faults', dependencies: ['engine', 'protocol'] })

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

const stringOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

function amountOf (body: Record<string, unknown>, isPay: boolean): number | undefined {
  if (!isPay) return typeof body.amount === 'number' ? body.amount : undefined
  try {
    return majorToMinor(String(body.amount), String(body.currency))
  } catch {
    return undefined
  }
}
