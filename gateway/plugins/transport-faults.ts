// How the faults that concern the connection itself are carried out. On a real server they act
// on the socket (a TCP reset, a close, a hold, a dribble). In-process adapters (msw) have no
// socket: there the answer carries a marker header and the adapter acts through its own means.
import type { Socket } from 'node:net'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** The marker header an in-process adapter reads (and removes) to act out a connection fault. */
export const TRANSPORT_FAULT_HEADER = 'paylab-transport-fault'
export const SLOW_BODY_CHUNKS = 8

export type NoAnswerFault = 'connection_reset' | 'empty_response' | 'timeout_not_processed'

export interface TransportFaults {
  /** Ends the exchange before anything is processed, without an answer. */
  noAnswer (request: FastifyRequest, reply: FastifyReply, fault: NoAnswerFault, holdMs: number): Promise<void>
  /** The request was processed; its answer never arrives. Returns the payload to hand on. */
  loseAnswer (request: FastifyRequest, reply: FastifyReply, body: Buffer, holdMs: number): Promise<Buffer>
  /** The answer arrives in chunks, `gapMs` apart. */
  slowBody (reply: FastifyReply, body: Buffer, gapMs: number): Buffer | Readable
  close (): void
}

export function socketFaults (): TransportFaults {
  const held = new Set<Socket>()
  return {
    async noAnswer (request, reply, fault, holdMs) {
      const socket = request.raw.socket
      reply.hijack()
      if (fault === 'connection_reset') {
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
        else socket.destroy()
      } else if (fault === 'empty_response') {
        socket.destroy()
      } else {
        held.add(socket)
        const timer = setTimeout(() => socket.destroy(), holdMs)
        socket.once('close', () => { clearTimeout(timer); held.delete(socket) })
      }
    },
    async loseAnswer (request, _reply, body, holdMs) {
      if (holdMs > 0) await sleep(holdMs)
      request.raw.socket?.destroy()
      return body
    },
    slowBody (reply, body, gapMs) {
      reply.header('content-length', body.length)
      return Readable.from(dribble(body, gapMs))
    },
    close () { for (const socket of held) socket.destroy() }
  }
}

export function markerFaults (): TransportFaults {
  return {
    async noAnswer (_request, reply, fault, holdMs) {
      await reply.header(TRANSPORT_FAULT_HEADER, `${fault};${holdMs}`).code(200).send('')
    },
    async loseAnswer (_request, reply, body, holdMs) {
      reply.header(TRANSPORT_FAULT_HEADER, `response_lost;${holdMs}`)
      return body
    },
    slowBody (reply, body, gapMs) {
      reply.header(TRANSPORT_FAULT_HEADER, `slow_body;${gapMs}`)
      return body
    },
    close () {}
  }
}

export async function * dribble (body: Uint8Array, gapMs: number): AsyncGenerator<Uint8Array> {
  const size = Math.max(1, Math.ceil(body.length / SLOW_BODY_CHUNKS))
  for (let at = 0; at < body.length; at += size) {
    if (at > 0) await sleep(gapMs)
    yield body.subarray(at, at + size)
  }
}
