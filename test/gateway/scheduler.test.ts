// The scheduler on its own: due work comes out by time, ties in the order they were made,
// canceled tasks never, and a scheduler rebuilt from the stored tasks continues in the same order.
import t from 'tap'
import { Db } from '../../gateway/engine/db.js'
import { Scheduler } from '../../gateway/engine/scheduler.js'
import { MemoryStore } from '../../gateway/store/memory-store.js'

const drain = (s: Scheduler, now: number): string[] => {
  const out: string[] = []
  for (let task = s.takeDue(now); task !== undefined; task = s.takeDue(now)) out.push(task.ref)
  return out
}

t.test('tasks come out by time, ties in creation order, only once due', async (t) => {
  const s = new Scheduler(await Db.open(new MemoryStore()))
  const times = [50, 10, 30, 10, 40, 20, 10, 30]
  times.forEach((at, i) => s.add(at, 'payment.expire', `p${i}`))
  t.equal(s.nextAt(), 10)
  t.same(drain(s, 9), [], 'nothing before its time')
  t.same(drain(s, 30), ['p1', 'p3', 'p6', 'p5', 'p2', 'p7'])
  t.equal(s.nextAt(), 40)
  t.same(drain(s, 1000), ['p4', 'p0'])
  t.equal(s.nextAt(), undefined)
  t.equal(s.size, 0)
})

t.test('many random tasks come out sorted', async (t) => {
  const s = new Scheduler(await Db.open(new MemoryStore()))
  let x = 12345
  const rand = () => { x = (x * 1103515245 + 12345) % 2 ** 31; return x }
  const added = Array.from({ length: 500 }, (_, i) => s.add(rand() % 1000, 'payment.resolve', `p${i}`))
  const out: Array<{ at: number, seq: number }> = []
  for (let task = s.takeDue(1000); task !== undefined; task = s.takeDue(1000)) out.push(task)
  t.equal(out.length, added.length)
  const sorted = [...out].sort((a, b) => a.at - b.at || a.seq - b.seq)
  t.same(out.map((o) => o.seq), sorted.map((o) => o.seq))
})

t.test('a canceled task never comes out, wherever it sits', async (t) => {
  const s = new Scheduler(await Db.open(new MemoryStore()))
  const first = s.add(10, 'payment.expire', 'first')
  s.add(20, 'payment.expire', 'second')
  const third = s.add(30, 'payment.expire', 'third')
  s.cancel(first.id)
  s.cancel(third.id)
  t.equal(s.nextAt(), 20, 'the canceled head is skipped')
  t.same(drain(s, 100), ['second'])
  t.equal(s.size, 0)
})

t.test('tasks are stored: a scheduler over the same tables continues where the last stopped', async (t) => {
  const db = await Db.open(new MemoryStore())
  const s = new Scheduler(db)
  for (const [at, ref] of [[30, 'c'], [10, 'a'], [20, 'b'], [10, 'a2']] as const) s.add(at, 'payment.expire', ref)
  t.same(drain(s, 10), ['a', 'a2'])
  const again = new Scheduler(db)
  t.equal(again.size, 2)
  const added = again.add(20, 'payment.expire', 'b2')
  t.ok(added.seq > Math.max(...[...db.tables.tasks.values()].filter((x) => x.id !== added.id).map((x) => x.seq)), 'new seqs follow the stored ones')
  t.same(drain(again, 100), ['b', 'b2', 'c'], 'ties still in creation order')
})
