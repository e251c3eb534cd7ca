// How an Alipay answer goes on the wire, signed with the app's Alipay key, and how the sandbox's
// answer faults change it: v2 carries its signature in the body, so the faults are acted out
// while the body is made; v3 signs headers, so they are made again by `resign`.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { SigningFault } from '../../engine/auth.js'
import { whenReady, type CryptoProvider, type Soon } from '../../engine/crypto.js'
import { newId } from '../../engine/ids.js'
import type { AlipayCredentials } from './credentials.js'
import { strangerKey } from './codec.js'
import { rsa2Sign, rsa2SignSoon, spoil, v2Answer, v3AnswerContent } from './sign.js'

/** The answer fault the sandbox decided for this request, if it is one of signing. */
export function signingFault (request: FastifyRequest): SigningFault | undefined {
  const fault = request.decision?.fault
  switch (fault?.name) {
    case 'bad_signature': return { kind: 'bad_signature' }
    case 'unknown_key': return { kind: 'unknown_key' }
    case 'stale_timestamp': return { kind: 'stale_timestamp', seconds: fault.value }
    default: return undefined
  }
}

function signWith (crypto: CryptoProvider, creds: AlipayCredentials, content: string, fault: SigningFault | undefined): string {
  const sign = rsa2Sign(crypto, fault?.kind === 'unknown_key' ? strangerKey() : creds.alipay_private_key, content)
  return fault?.kind === 'bad_signature' ? spoil(sign) : sign
}

/**
 * Sends a v2 answer. Unsigned when the app is unknown (no key to sign with), as Alipay does.
 * v2 answers carry no timestamp, so `stale_timestamp` leaves them as they are. Without a fault,
 * the signature is made through the provider's async form when it has one (the gateway's worker
 * pool: off the event loop, as paylab's own answers), and the answer is sent once it is made.
 */
export function sendV2 (reply: FastifyReply, crypto: CryptoProvider, creds: AlipayCredentials | undefined, key: string, inner: object, fault?: SigningFault): FastifyReply | Promise<FastifyReply> {
  const json = JSON.stringify(inner)
  const send = (sign: string | undefined): FastifyReply => reply.type('application/json; charset=utf-8').send(v2Answer(key, json, sign))
  if (creds === undefined) return send(undefined)
  if (fault !== undefined) return send(signWith(crypto, creds, json, fault))
  return whenReady(rsa2SignSoon(crypto, creds.alipay_private_key, json), send)
}

/** Signs a v3 answer's headers (alipay-timestamp, alipay-nonce, alipay-signature) at once: the faults' `resign`. */
export function signV3 (reply: FastifyReply, crypto: CryptoProvider, creds: AlipayCredentials, body: Buffer, nowMs: number, fault?: SigningFault): void {
  const { timestamp, nonce, content } = v3Fields(body, nowMs, fault)
  reply.headers({ 'alipay-timestamp': timestamp, 'alipay-nonce': nonce, 'alipay-signature': signWith(crypto, creds, content, fault) })
}

/** signV3 of an answer on its way out, no fault: through the provider's async form when it has one, else at once with no promise. */
export function signV3Soon (reply: FastifyReply, crypto: CryptoProvider, creds: AlipayCredentials, body: Buffer, nowMs: number): Soon<void> {
  const { timestamp, nonce, content } = v3Fields(body, nowMs, undefined)
  return whenReady(rsa2SignSoon(crypto, creds.alipay_private_key, content), (signature) => {
    reply.headers({ 'alipay-timestamp': timestamp, 'alipay-nonce': nonce, 'alipay-signature': signature })
  })
}

function v3Fields (body: Buffer, nowMs: number, fault: SigningFault | undefined): { timestamp: string, nonce: string, content: string } {
  const timestamp = String(nowMs - (fault?.kind === 'stale_timestamp' ? fault.seconds * 1000 : 0))
  const nonce = newId('n', 24).slice(2)
  return { timestamp, nonce, content: v3AnswerContent(timestamp, nonce, body.toString('utf8')) }
}

export const toBuffer = (payload: unknown): Buffer =>
  payload === null || payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : Buffer.from(payload as string)
