// The request journal: what the gateway saw and did, for tests to assert on ("exactly one
// create", "the merchant queried after its timeout"). A bounded ring: the oldest entries go.
import { VALIDATION_FAILED } from './errors.js'
import { compileGlob } from './rules.js'

export interface JournalEntry {
  seq: number
  request_id: string
  time: string
  /** The channel profile that served the request (`paylab`, `wechatpay`, …); null off the channel APIs. */
  channel: string | null
  merchant_id: string | null
  method: string
  path: string
  query: string | null
  status: number | null
  latency_ms: number | null
  /** `valid`, or the error code that rejected the request's signing. */
  signature: { verdict: string, string_to_sign: string | null } | null
  idempotency: 'new' | 'replayed' | 'conflict' | null
  fault: string | null
  rule_id: string | null
  outcome: string | null
  merchant_order_id: string | null
  payment_id: string | null
  error_code: string | null
}

/** What a request's entry starts with, as it arrives. */
export type JournalOpening = Pick<JournalEntry, 'request_id' | 'time' | 'method' | 'path' | 'query' | 'merchant_id'> & { channel?: string | null }

export interface JournalQuery {
  merchant_id?: string | undefined
  channel?: string | undefined
  /** Exact path, or a glob with `*`. */
  path?: string | undefined
  method?: string | undefined
  /** ISO time or a `seq`: entries after it. */
  since?: string | undefined
  status?: number | undefined
  payment_id?: string | undefined
  limit?: number | undefined
}

const MAX_STRING_TO_SIGN = 4096
const CARD_FIELDS = /("(?:number|cvc)"\s*:\s*)"[^"]*"/g

let isoSecond = NaN
let isoPrefix = ''

/**
 * `new Date(ms).toISOString()`, the same text, for an entry's time: every request has one, and
 * formatting a date costs more than the rest of the entry, so the text up to the second is
 * formatted once per second and the milliseconds appended.
 */
export function journalTime (time: number): string {
  const ms = Math.trunc(time) // as Date does
  const second = Math.floor(ms / 1000)
  if (second !== isoSecond) {
    const iso = new Date(second * 1000).toISOString()
    isoPrefix = iso.slice(0, -4) // up to the '.', before 'sssZ'
    isoSecond = second
  }
  const millis = ms - second * 1000
  return `${isoPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`
}

/** Entries a journal keeps, in memory and in a shared store alike: the oldest go. */
export const JOURNAL_CAPACITY = 10_000

/**
 * Where a shared store keeps the journal of every gateway on it (gateway/store/postgres/journal.ts):
 * an answered request is seen from every gateway. Same filters and order as Journal, with the
 * store's own seq (one sequence for all gateways).
 */
export interface SharedJournal {
  /** Keeps an entry of an answered request; written in the background, not waited for. */
  add (entry: JournalEntry): void
  query (q: JournalQuery): Promise<JournalEntry[]>
  count (q: JournalQuery): Promise<number>
  entry (seq: number): Promise<JournalEntry | undefined>
  clear (merchantId?: string): Promise<void>
}

/** `since` as a seq or an instant (ms); VALIDATION_FAILED when it is neither. */
export function parseSince (since: string | undefined): { seq?: number, ms?: number } {
  if (since === undefined) return {}
  if (/^\d+$/.test(since)) return { seq: Number(since) }
  // Instants, not strings: `…T00:00:00Z` is before `…T00:00:00.400Z`, and offsets count.
  const ms = Date.parse(since)
  if (Number.isNaN(ms)) throw VALIDATION_FAILED('since must be an ISO time or an entry seq', { field: 'since' })
  return { ms }
}

export class Journal {
  readonly #capacity: number
  readonly #entries: JournalEntry[] = []
  #start = 0
  #seq = 0

  constructor (capacity = JOURNAL_CAPACITY) { this.#capacity = capacity }

  open (init: JournalOpening): JournalEntry {
    // One literal, its fields in the order entries have always been listed in.
    const entry: JournalEntry = {
      seq: ++this.#seq, channel: init.channel ?? null, status: null, latency_ms: null, signature: null, idempotency: null, fault: null,
      rule_id: null, outcome: null, merchant_order_id: null, payment_id: null, error_code: null,
      request_id: init.request_id, time: init.time, method: init.method, path: init.path, query: init.query, merchant_id: init.merchant_id
    }
    if (this.#entries.length < this.#capacity) this.#entries.push(entry)
    else { this.#entries[this.#start] = entry; this.#start = (this.#start + 1) % this.#capacity }
    return entry
  }

  /** An entry's signature verdict and what was signed (bytes, or text for a request without a body). */
  static signature (verdict: string, signed: Buffer | string | undefined): NonNullable<JournalEntry['signature']> {
    return { verdict, string_to_sign: signed === undefined ? null : Journal.stringToSign(typeof signed === 'string' ? signed : signed.toString('utf8')) }
  }

  /** Bounded, and without card numbers or CVCs (a plaintext-card request carries them). */
  static stringToSign (text: string): string {
    // Most requests carry no card field: the search is skipped for them.
    const safe = text.includes('"number"') || text.includes('"cvc"') ? text.replace(CARD_FIELDS, '$1"[redacted]"') : text
    return safe.length > MAX_STRING_TO_SIGN ? `${safe.slice(0, MAX_STRING_TO_SIGN)}…` : safe
  }

  /** Oldest first. */
  query (q: JournalQuery): JournalEntry[] {
    const limit = q.limit ?? 100
    const out: JournalEntry[] = []
    const matches = this.#matcher(q)
    const all = this.#ordered()
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const e = all[i] as JournalEntry
      if (matches(e)) out.push(e)
    }
    return out.reverse()
  }

  /** One entry by its seq, while the ring still holds it. */
  entry (seq: number): JournalEntry | undefined {
    return this.#ordered().find((e) => e.seq === seq)
  }

  count (q: JournalQuery): number {
    const matches = this.#matcher(q)
    return this.#ordered().filter(matches).length
  }

  clear (merchantId?: string): void {
    const keep = merchantId === undefined ? [] : this.#ordered().filter((e) => e.merchant_id !== merchantId)
    this.#entries.length = 0
    this.#entries.push(...keep)
    this.#start = 0
  }

  #ordered (): JournalEntry[] {
    return this.#start === 0 ? this.#entries : [...this.#entries.slice(this.#start), ...this.#entries.slice(0, this.#start)]
  }

  #matcher (q: JournalQuery): (e: JournalEntry) => boolean {
    const path = q.path === undefined ? undefined : compileGlob(q.path)
    const { seq: sinceSeq, ms: sinceTime } = parseSince(q.since)
    return (e) => (q.merchant_id === undefined || e.merchant_id === q.merchant_id) &&
      (q.channel === undefined || e.channel === q.channel) &&
      (path === undefined || path.test(e.path)) &&
      (q.method === undefined || e.method === q.method.toUpperCase()) &&
      (q.status === undefined || e.status === q.status) &&
      (q.payment_id === undefined || e.payment_id === q.payment_id) &&
      (sinceSeq === undefined || e.seq > sinceSeq) &&
      (sinceTime === undefined || Date.parse(e.time) > sinceTime)
  }
}
