// Due work on the clock (expiries, pending resolutions, notification attempts): run at once, in
// slices by the server's ticker, or along the way of a virtual clock moved forward.
import type { EngineContext } from './context.js'
import { runTask } from './lifecycle.js'
import type { Outbox } from './outbox.js'
import type { Task } from './types.js'

/** A task the clock fired: what it was about and when it was due. */
export interface FiredTask { at: string, kind: Task['kind'], ref: string }

/** The longest the ticker works through due tasks before it lets requests in (see Ticker.tick). */
const TICK_SLICE_MS = 5

type Claim = { resolve: () => void, reject: (e: unknown) => void } | undefined

export class Ticker {
  readonly #ctx: EngineContext
  readonly #outbox: Outbox
  #fired: FiredTask[] | undefined
  #ticking = false

  constructor (ctx: EngineContext, outbox: Outbox) {
    this.#ctx = ctx
    this.#outbox = outbox
  }

  /** The server's ticker: catches up (a shared store), then runs what is due, in slices. */
  tick (): void {
    if (this.#ticking) return
    this.#ticking = true
    const caught = this.#ctx.db.catchUp()
    if (caught === undefined) this.#slice()
    else caught.then(() => this.#slice(), () => { this.#ticking = false })
  }

  /** Runs every task due on the clock (expiry, pending resolution) and persists the result. */
  runDue (): number {
    const ctx = this.#ctx
    let n = 0
    // With a shared store, taking a task is committed before it is carried out: the gateway whose
    // commit the store takes is the one that delivers (the others' commits conflict).
    let claim: Claim
    const claimed = ctx.db.shared ? new Promise<void>((resolve, reject) => { claim = { resolve, reject } }) : undefined
    claimed?.catch(() => {})
    for (let task = ctx.scheduler.takeDue(ctx.clock.now()); task !== undefined; task = ctx.scheduler.takeDue(ctx.clock.now())) {
      this.#runTask(task, claimed)
      n++
    }
    const done = ctx.db.commit()
    if (claim !== undefined) done.then(claim.resolve, claim.reject)
    return n
  }

  /** Work a change made due at once (a notification) starts right after the answer, not at the next tick. */
  kick (): void {
    const next = this.#ctx.scheduler.nextAt()
    if (next !== undefined && next <= this.#ctx.clock.now()) setImmediate(() => this.tick())
  }

  /** Runs `run` (a clock moving forward) and says which tasks fired meanwhile, in order. */
  async recording<T> (run: () => Promise<T>): Promise<{ result: T, fired: FiredTask[] }> {
    const fired: FiredTask[] = []
    this.#fired = fired
    try {
      return { result: await run(), fired }
    } finally {
      this.#fired = undefined
    }
  }

  #runTask (task: Task, claimed: Promise<void> | undefined): void {
    this.#fired?.push({ at: new Date(task.at).toISOString(), kind: task.kind, ref: task.ref })
    if (task.kind === 'event.deliver') this.#outbox.runTask(task, claimed)
    else runTask(this.#ctx, task)
  }

  /**
   * What tick runs: the due tasks, as runDue does, but in slices of at most TICK_SLICE_MS of
   * work, each in a turn of the event loop of its own. Tasks fall due in crowds (the
   * notifications of a burst of creates, waits made together expiring together), and run in one
   * go they held every request for as long as they took. With a shared store each slice's
   * deliveries are claimed by its commit, as in runDue.
   */
  #slice (): void {
    const ctx = this.#ctx
    const until = performance.now() + TICK_SLICE_MS
    let more = false
    let claim: Claim
    const claimed = ctx.db.shared ? new Promise<void>((resolve, reject) => { claim = { resolve, reject } }) : undefined
    claimed?.catch(() => {})
    try {
      for (let task = ctx.scheduler.takeDue(ctx.clock.now()); task !== undefined; task = ctx.scheduler.takeDue(ctx.clock.now())) {
        this.#runTask(task, claimed)
        if (performance.now() >= until) { more = true; break }
      }
    } finally {
      const done = ctx.db.commit()
      if (claim !== undefined) done.then(claim.resolve, claim.reject)
      else done.catch(() => {})
      if (more) setImmediate(() => { this.#slice() })
      else this.#ticking = false
    }
  }
}
