// Time comes from a Clock so that scenarios can fast-forward hours in moments.
export interface Clock {
  /** Milliseconds since the epoch. */
  now (): number
}

export const realClock: Clock = { now: () => Date.now() }

/** A clock that only moves when told to; starts at the real time unless given one. */
export class VirtualClock implements Clock {
  #now: number
  constructor (start = Date.now()) { this.#now = start }
  now (): number { return this.#now }
  advance (ms: number): number {
    return this.set(this.#now + ms)
  }

  /**
   * Takes the time of the gateways already running on a shared store, earlier or not: one
   * sandbox, one clock. Only at start, before anything read this clock.
   */
  adopt (ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('not a time')
    this.#now = ms
  }

  set (ms: number): number {
    if (!Number.isFinite(ms) || ms < this.#now) throw new RangeError('a clock only moves forward')
    this.#now = ms
    return this.#now
  }
}

export const unixSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000)
// A request reads the time as ISO text three or four times within the same millisecond (a
// payment's created_at and updated_at, its history entry): the text is made once per millisecond.
let lastMs = NaN
let lastIso = ''
export const isoTime = (clock: Clock): string => {
  const ms = clock.now()
  if (ms !== lastMs) { lastIso = new Date(ms).toISOString(); lastMs = ms }
  return lastIso
}
