// Reconciliation: the gateway's signed daily statement against the shop's orders. Every
// mismatch is reported; what a query can settle is repaired (the query's answer is verified).
import { parse } from 'csv-parse/sync'
import type { Shop } from './shop.js'
import { statusFor } from './orders.js'
import type { Payment } from '../sdk/index.js'

export interface Mismatch {
  order_id: string
  kind: 'missing_order' | 'missing_payment' | 'amount_differs' | 'status_differs'
  shop: string
  gateway: string
  repaired: boolean
}

export interface ReconcileReport { date: string, rows: number, orders: number, mismatches: Mismatch[] }

interface Row { payment_id: string, merchant_order_id: string, status: string, amount: number, amount_captured: number, amount_refunded: number }

/**
 * The statement's rows by column name (the header row), whatever the order of the columns. The
 * gateway sends a text cell that a spreadsheet would run as a formula (or that starts with a
 * quote) with a leading single quote (docs/protocol.md, "The daily statement"): it comes off.
 */
export function parseStatement (csv: string): Row[] {
  const records = parse<Record<string, string | undefined>>(csv, { columns: true, skip_empty_lines: true, cast: (cell) => cell.startsWith("'") ? cell.slice(1) : cell })
  return records.map((cells) => ({
    payment_id: cells.payment_id ?? '',
    merchant_order_id: cells.merchant_order_id ?? '',
    status: cells.status ?? '',
    amount: Number(cells.amount),
    amount_captured: Number(cells.amount_captured),
    amount_refunded: Number(cells.amount_refunded)
  }))
}

export async function reconcile (shop: Shop, date: string): Promise<ReconcileReport> {
  const { client, store } = shop.deps
  const rows = parseStatement(await client.statement(date))
  const orders = store.list().filter((o) => o.created_at.startsWith(date))
  const mismatches: Mismatch[] = []
  const seen = new Set<string>()
  for (const row of rows) {
    seen.add(row.merchant_order_id)
    const order = store.get(row.merchant_order_id)
    const expected = statusFor({ status: row.status as Payment['status'], amount_captured: row.amount_captured, amount_refunded: row.amount_refunded })
    if (order === undefined) {
      mismatches.push({ order_id: row.merchant_order_id, kind: 'missing_order', shop: 'no order', gateway: `${row.payment_id} ${row.status}`, repaired: false })
      continue
    }
    if (order.amount !== row.amount) {
      mismatches.push({ order_id: order.id, kind: 'amount_differs', shop: String(order.amount), gateway: String(row.amount), repaired: false })
    }
    if (order.status !== expected) {
      const after = await shop.sync(order.id, 'reconciliation')
      mismatches.push({ order_id: order.id, kind: 'status_differs', shop: order.status, gateway: expected, repaired: after.status === expected })
    }
  }
  for (const order of orders) {
    if (seen.has(order.id) || order.status === 'payment_failed' || order.status === 'created') continue
    // The shop thinks a payment exists that the statement does not list.
    const after = await shop.sync(order.id, 'reconciliation')
    mismatches.push({ order_id: order.id, kind: 'missing_payment', shop: order.status, gateway: 'no payment', repaired: after.status !== order.status })
  }
  return { date, rows: rows.length, orders: orders.length, mismatches }
}
