// Checks that a bad request is refused the documented way: a 4xx from the error registry, a
// message that names the field at fault, and nothing stored changed.
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { errorRegistry } from '../../gateway/engine/errors.js'
import type { TestGateway } from './build.js'

export interface Refusal {
  status: number
  code: string
  /** The `field` the error must carry; its last segment must appear in the message. */
  field?: string
}

/** Every payment and refund the gateway holds, as text to compare before and after. */
export function storedState (gw: TestGateway): string {
  const payments = gw.engine.findPayments({ limit: Infinity })
  // Every refund belongs to a payment: those of each payment are all of them.
  const refunds = payments.flatMap((p) => gw.engine.listRefunds(p.merchant_id, p.id).data)
  return JSON.stringify({ payments, refunds })
}

export interface ErrorBody { code: string, message: string, request_id: string, field?: string, [k: string]: unknown }

/** Asserts the shape of one refusal and returns its error object. */
export function assertRefusal (t: Test, status: number, text: string, expected: Refusal): ErrorBody {
  t.equal(status, expected.status, `${expected.code}: ${text}`)
  const error = (JSON.parse(text) as { error: ErrorBody }).error
  t.equal(error.code, expected.code, 'the error code')
  t.equal(errorRegistry.get(error.code)?.statusCode, status, 'the status is the registry status of the code')
  t.match(error.request_id, /^req_[A-Za-z0-9]+$/, 'a request id')
  if (expected.field !== undefined) {
    t.equal(error.field, expected.field, 'the field at fault')
    const name = expected.field.split('.').at(-1) as string
    t.ok(error.message.includes(name), `the message names ${name}: ${error.message}`)
  }
  return error
}

/** Sends a request that must be refused, and checks that it changed nothing stored. */
export async function refused (t: Test, gw: TestGateway, send: () => Promise<LightMyRequestResponse>, expected: Refusal): Promise<ErrorBody> {
  const before = storedState(gw)
  const res = await send()
  const error = assertRefusal(t, res.statusCode, res.body, expected)
  t.equal(storedState(gw), before, 'no payment or refund changed')
  return error
}
