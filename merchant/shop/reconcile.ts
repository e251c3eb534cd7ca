// Reconciliation: the gateway's signed daily statement against the shop's orders. Every
// mismatch is reported; what a query can settle is repaired (the query's answer is verified).
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

export function parseStatement (csv: string): Row[] {
  const [header, ...lines] = csv.split(/\r?\n/).filter((l) => l !== '')
  const columns = (header ?? '').split(',')
  return lines.map((line) => {
    const cells = splitCsvLine(line)
    const get = (name: string) => cells[columns.indexOf(name)] ?? ''
    return {
      payment_id: get('payment_id'),
      merchant_order_id: get('merchant_order_id'),
      status: get('status'),
      amount: Number(get('amount')),
      amount_captured: Number(get('amount_captured')),
      amount_refunded: Number(get('amount_refunded'))
    }
  })
}

function splitCsvLine (line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++ } else if (c === '"') quoted = false
      else cur += c
    } else if (c === '"') quoted = true
    else if (c === ',') { out.push(cur); cur = '' } else cur += c
  }
  out.push(cur)
  return out
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
