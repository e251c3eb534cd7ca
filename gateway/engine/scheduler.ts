// Work that falls due on the gateway clock (payment expiry, pending resolution, notification
// retries). Tasks are records in the store, so they survive a restart; a min-heap orders them so
// that finding what is due costs O(log n), however many are waiting.
import type { Db } from './db.js'
import { newId } from './ids.js'
import type { Task } from './types.js'

export class Scheduler {
  readonly #db: Db
  readonly #heap: Task[] = []
  #seq = 0

  constructor (db: Db) {
    this.#db = db
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

  /** Drops canceled tasks, and copies of a task another gateway has since changed (the table holds the current one). */
  #dropCanceled (): void {
    while (this.#heap.length > 0 && this.#db.tables.tasks.get((this.#heap[0] as Task).id) !== this.#heap[0]) this.#pop()
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

/** Earlier time first; tasks due at the same moment run in the order they were made. */
function before (a: Task, b: Task): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
