// The payment state machine. Every status change goes through transition(), so an illegal one
// is a 409 with a code rather than a corrupted payment.
import { INVALID_STATE_TRANSITION, PAYMENT_ALREADY_SUCCEEDED } from './errors.js'
import type { Payment, PaymentStatus } from './types.js'

const ALLOWED: Record<PaymentStatus, readonly PaymentStatus[]> = {
  requires_action: ['processing', 'authorized', 'succeeded', 'failed', 'canceled'],
  processing: ['authorized', 'succeeded', 'failed', 'canceled'],
  authorized: ['succeeded', 'canceled'],
  succeeded: [],
  failed: [],
  canceled: []
}

export const FINAL_STATUSES: readonly PaymentStatus[] = ['succeeded', 'failed', 'canceled']

export function canTransition (from: PaymentStatus, to: PaymentStatus): boolean {
  return ALLOWED[from].includes(to)
}

export function assertTransition (payment: Payment, to: PaymentStatus, action: string): void {
  if (canTransition(payment.status, to)) return
  if (payment.status === 'succeeded' && to === 'canceled') {
    throw PAYMENT_ALREADY_SUCCEEDED(undefined, { payment_id: payment.id, status: payment.status })
  }
  throw INVALID_STATE_TRANSITION(`cannot ${action} a payment whose status is ${payment.status}`, { payment_id: payment.id, status: payment.status })
}
