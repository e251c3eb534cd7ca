// Work that falls due on the gateway clock (payment expiry, pending resolution, notification
// retries). Tasks are records in the store, so they survive a restart; a min-heap orders them so
// that finding what is due costs O(log n), however many are waiting.
import { realClock, type Clock } from './clock.js'
import type { Db } from './db.js'
import { newId } from './ids.js'
import type { Task } from './types.js'

/** A task one gateway is carrying out (a shared store): the others leave it alone until `until` (real ms). */
export interface Lease { owner: string, until: number }

export class Scheduler {
  readonly #db: Db
  readonly #heap: Task[] = []
  /** Leased tasks taken off the heap until their lease runs out. */
  #leased: Task[] = []
  readonly #leaseClock: Clock
  #seq = 0

  /** `leaseClock`: the real time leases run on, also under a virtual gateway clock. */
  constructor (db: Db, leaseClock: Clock = realClock) {
    this.#db = db
    this.#leaseClock = leaseClock
    for (const task of db.tables.tasks.values()) {
      this.#seq = Math.max(this.#seq, task.seq + 1)
      this.#push(task)
    }
    // A task taken and run, whose commit the store then failed to write, is back in the table:
    // it goes back in the heap too (a second copy surfacing later is skipped like a canceled one).
    db.onRestored((table, _id, value) => { if (table === 'tasks') this.#push(value as Task) })
    // Another gateway's task (a shared store): every gateway holds every task; whichever takes it
    // first commits taking it, and the others' commits of the same are refused (see takeDue).
    db.onRemote((table, _id, value) => {
      if (table !== 'tasks' || value === undefined) return
      const task = value as Task
      this.#seq = Math.max(this.#seq, task.seq + 1)
      this.#push(task)
    })
  }

  add (at: number, kind: Task['kind'], ref: string, data: Record<string, unknown> = {}): Task {
    const task: Task = { id: newId('tsk', 16), at, seq: this.#seq++, kind, ref, data }
    this.#db.put('tasks', task.id, task)
    this.#push(task)
    return task
  }

  /**
   * Keeps a task taken with takeDue in the store, leased to `owner` for `ms`: with a shared store,
   * the commit of the lease is what makes this gateway the one that carries it out, and should
   * the gateway die before it is done, another takes it once the lease has run out.
   */
  lease (task: Task, owner: string, ms: number): Task {
    const lease: Lease = { owner, until: this.#leaseClock.now() + ms }
    const leased: Task = { ...task, data: { ...task.data, lease } }
    this.#db.put('tasks', task.id, leased)
    this.#push(leased)
    return leased
  }

  /** The real time leases run on (ms). */
  leaseTime (): number { return this.#leaseClock.now() }

  /** Cancels a task; a canceled task left in the heap is skipped when it surfaces. */
  cancel (id: string): void {
    this.#db.delete('tasks', id)
  }

  /** The earliest pending task's time, if any. */
  nextAt (): number | undefined {
    this.#dropCanceled()
    return this.#heap[0]?.at
  }

  /** Removes and returns the earliest task due at or before `now`. */
  takeDue (now: number): Task | undefined {
    this.#dropCanceled()
    const top = this.#heap[0]
    if (top === undefined || top.at > now) return undefined
    this.#pop()
    this.#db.delete('tasks', top.id)
    return top
  }

  get size (): number { return this.#db.tables.tasks.size }

  /**
   * Drops canceled tasks and copies of a task another gateway has since changed (the table holds
   * the current one), and sets leased tasks aside until their lease runs out.
   */
  #dropCanceled (): void {
    const now = this.#leaseClock.now()
    if (this.#leased.length > 0) {
      const expired = this.#leased.filter((t) => leaseOf(t)!.until <= now)
      this.#leased = this.#leased.filter((t) => leaseOf(t)!.until > now)
      for (const task of expired) this.#push(task)
    }
    while (this.#heap.length > 0) {
      const top = this.#heap[0] as Task
      if (this.#db.tables.tasks.get(top.id) !== top) { this.#pop(); continue }
      const lease = leaseOf(top)
      if (lease === undefined || lease.until <= now) return
      this.#pop()
      this.#leased.push(top)
    }
  }

  #push (task: Task): void {
    const h = this.#heap
    h.push(task)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(h[i] as Task, h[parent] as Task)) break
      ;[h[i], h[parent]] = [h[parent] as Task, h[i] as Task]
      i = parent
    }
  }

  #pop (): void {
    const h = this.#heap
    const last = h.pop() as Task
    if (h.length === 0) return
    h[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && before(h[l] as Task, h[m] as Task)) m = l
      if (r < h.length && before(h[r] as Task, h[m] as Task)) m = r
      if (m === i) break
      ;[h[i], h[m]] = [h[m] as Task, h[i] as Task]
      i = m
    }
  }
}

export function leaseOf (task: Task): Lease | undefined {
  return task.data.lease as Lease | undefined
}

/** Earlier time first; tasks due at the same moment run in the order they were made. */
function before (a: Task, b: Task): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
