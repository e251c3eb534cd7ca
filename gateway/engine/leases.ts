// Claiming notification attempts on a shared store (several gateways on one database): a gateway
// makes an attempt only once the store took its lease on the event's delivery task, so that an
// attempt started by an operator's lever (deliver-due) is made by one gateway, never beside the
// scheduled one another gateway is making. A lease that ran out (its holder died) is taken over.
import type { EngineContext } from './context.js'
import { STORAGE_UNAVAILABLE } from './errors.js'
import { leaseOf } from './scheduler.js'
import { StoreConflict } from './store-conflict.js'
import type { NotificationEvent, Task } from './types.js'

/** Claims the delivery tasks of `events` whose attempt no gateway is making; resolves with the leased tasks. */
export async function claimAttempts (ctx: EngineContext, events: () => NotificationEvent[], owner: string, leaseMs: (e: NotificationEvent) => number): Promise<Task[]> {
  const { db, scheduler } = ctx
  for (let runs = 1; ; runs++) {
    await db.catchUp()
    const tasks = new Map<string, Task>()
    for (const task of db.tables.tasks.values()) if (task.kind === 'event.deliver') tasks.set(task.ref, task)
    const now = scheduler.leaseTime()
    const leased: Task[] = []
    for (const event of events()) {
      const task = tasks.get(event.id)
      // No task: its attempt is under way and being recorded; a live lease: another gateway is making it.
      const lease = task === undefined ? undefined : leaseOf(task)
      if (task === undefined || (lease !== undefined && lease.until > now)) continue
      leased.push(scheduler.lease(task, owner, leaseMs(event)))
    }
    try {
      await db.commit()
      return leased
    } catch (err) {
      // Another gateway took one of them first (or changed its event): claim again on what it did.
      if (!(err instanceof StoreConflict)) throw err
      if (runs >= 10) throw STORAGE_UNAVAILABLE('other gateways on the same database keep taking these notifications first; none was attempted here, retry in a moment', { retry_after: 1 })
    }
  }
}
