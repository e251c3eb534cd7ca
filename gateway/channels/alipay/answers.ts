// How an Alipay answer goes on the wire, signed with the app's Alipay key, and how the sandbox's
// answer faults change it: v2 carries its signature in the body, so the faults are acted out
// while the body is made; v3 signs headers, so they are made again by `resign`.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { SigningFault } from '../../engine/auth.js'
import type { CryptoProvider } from '../../engine/crypto.js'
import { newId } from '../../engine/ids.js'
import type { AlipayCredentials } from './credentials.js'
import { strangerKey } from './codec.js'
import { rsa2Sign, spoil, v2Answer, v3AnswerContent } from './sign.js'

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
 * v2 answers carry no timestamp, so `stale_timestamp` leaves them as they are.
 */
export function sendV2 (reply: FastifyReply, crypto: CryptoProvider, creds: AlipayCredentials | undefined, key: string, inner: object, fault?: SigningFault): FastifyReply {
  const json = JSON.stringify(inner)
  const sign = creds === undefined ? undefined : signWith(crypto, creds, json, fault)
  return reply.type('application/json; charset=utf-8').send(v2Answer(key, json, sign))
}

/** Signs a v3 answer's headers (alipay-timestamp, alipay-nonce, alipay-signature). */
export function signV3 (reply: FastifyReply, crypto: CryptoProvider, creds: AlipayCredentials, body: Buffer, nowMs: number, fault?: SigningFault): void {
  const timestamp = String(nowMs - (fault?.kind === 'stale_timestamp' ? fault.seconds * 1000 : 0))
  const nonce = newId('n', 24).slice(2)
  reply.headers({
    'alipay-timestamp': timestamp,
    'alipay-nonce': nonce,
    'alipay-signature': signWith(crypto, creds, v3AnswerContent(timestamp, nonce, body.toString('utf8')), fault)
  })
}

export const toBuffer = (payload: unknown): Buffer =>
  payload === null || payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : Buffer.from(payload as string)
