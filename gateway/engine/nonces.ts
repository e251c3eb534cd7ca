// Replay protection: a nonce is remembered per merchant for twice the timestamp tolerance, long
// enough that any request still inside the window and carrying it is refused. Entries expire in
// insertion order, so the oldest are dropped from the front in amortized O(1).
export class NonceCache {
  readonly #seen = new Map<string, number>()
  readonly #order: Array<{ key: string, expires: number }> = []
  #head = 0

  /** Records the nonce; returns false when it was already seen and has not expired. */
  remember (merchantId: string, nonce: string, nowMs: number, ttlMs: number): boolean {
    this.#expire(nowMs)
    const key = `${merchantId}\u0000${nonce}`
    if (this.#seen.has(key)) return false
    const expires = nowMs + ttlMs
    this.#seen.set(key, expires)
    this.#order.push({ key, expires })
    return true
  }

  get size (): number { return this.#seen.size }

  #expire (nowMs: number): void {
    while (this.#head < this.#order.length) {
      const entry = this.#order[this.#head] as { key: string, expires: number }
      if (entry.expires > nowMs) break
      if (this.#seen.get(entry.key) === entry.expires) this.#seen.delete(entry.key)
      this.#head++
    }
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order.splice(0, this.#head)
      this.#head = 0
    }
  }
}
