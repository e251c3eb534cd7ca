// kill -9 of one of two replicas under load: no acknowledged write is lost, and the notification
// attempts it had leased are made by the other once the lease runs out. A real PostgreSQL
// (test/helpers/postgres.ts); the killed replica is a process of its own.
import t, { type Test } from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { live } from '../helpers/live.js'
import { orderId } from '../helpers/build.js'
import { signRequest } from '../helpers/signer.js'
import { receiver, type Received } from '../helpers/receiver.js'
import { uncoveredEnv, untracked } from '../helpers/child-env.js'
import { startPostgres } from '../helpers/postgres.js'

const CHILD = fileURLToPath(new URL('./fixtures/replica.ts', import.meta.url))
// Long enough that a replica alive but slowed down by a loaded machine keeps its leases.
const LEASE_MS = 3000
/** A request the killed replica sent as it was killed may reach the receiver a moment after. */
const KILL_SLACK_MS = 250

const pg = await startPostgres()
t.teardown(() => pg.stop())

/** Replica A, in a process of its own (so it can be killed -9) on the database at `url`: its URL once it listens. */
async function replicaProcess (t: Test, url: string): Promise<{ child: ChildProcess, url: string }> {
  // Without tap's process tracker (untracked): env(1) execs node, so the pid is node's, for kill -9.
  const child = spawn(...untracked(process.execPath, ['--import', 'tsx', CHILD, url, String(LEASE_MS)]), { stdio: ['ignore', 'pipe', 'inherit'], env: uncoveredEnv() })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const listening = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line !== undefined) resolve((JSON.parse(line) as { url: string }).url)
    })
    child.on('exit', () => reject(new Error(`the replica exited:\n${out}`)))
  })
  // Its environment as it was exec'd: tap's tracker would cost it CPU for every module it loads.
  if (existsSync(`/proc/${String(child.pid)}/environ`)) t.notMatch(readFileSync(`/proc/${String(child.pid)}/environ`, 'latin1'), /@tapjs[\\/]processinfo/, 'the replica runs without tap\'s process tracker')
  return { child, url: listening }
}

t.test('kill -9 of a replica under load loses no acknowledged write; its leased deliveries are made by the other', async (t) => {
  const rx = await receiver(t)
  // Every attempt is answered 2xx after 300 ms: at any moment some are under way.
  rx.answer = () => new Promise((resolve) => setTimeout(() => resolve(200), 300))
  const url = pg.freshSchemaUrl()
  const b = await live(t, { databaseUrl: url, config: { allowPlaintextCards: true, deliveryLeaseMs: LEASE_MS } })
  const { child, url: aUrl } = await replicaProcess(t, url)

  const acked = new Map<string, 'a' | 'b'>()
  const onA = new Set<string>()
  let killed = false
  let killedAt = 0
  const plainCard = { number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' }
  const create = async (target: 'a' | 'b'): Promise<void> => {
    const body = { merchant_order_id: orderId(), amount: 1000, currency: 'USD', notify_url: rx.url, method: { type: 'card', card: plainCard } }
    const { headers, payload } = signRequest(b.demo, { method: 'POST', path: '/v1/payments', body })
    try {
      const res = await fetch(`${target === 'a' ? aUrl : b.base}/v1/payments`, { method: 'POST', headers, body: payload })
      const answer = await res.json() as { id?: string }
      if (res.status === 201 && answer.id !== undefined) {
        acked.set(answer.id, target)
        if (target === 'a') onA.add(answer.id)
      } else if (!(killed && target === 'a')) t.fail(`unexpected answer ${res.status}: ${JSON.stringify(answer)}`)
    } catch {
      if (target === 'b' || !killed) t.fail('a request failed before the kill')
    }
  }
  // Attempts under way at the receiver for payments the replica to be killed made.
  const aInFlight = (): Received[] => rx.requests.filter((r) => r.status === null && onA.has((r.json() as { data: { object: { id: string } } }).data.object.id))
  const lanes = Array.from({ length: 4 }, async (_, lane) => {
    for (let i = 0; killedAt === 0 || Date.now() - killedAt < 500; i++) {
      const target = killed ? 'b' : (i + lane) % 2 === 0 ? 'a' : 'b'
      await create(target)
      if (!killed && acked.size >= 40 && aInFlight().length > 0) {
        killed = true
        killedAt = Date.now()
        child.kill('SIGKILL')
      }
    }
  })
  await Promise.all(lanes)
  t.ok(killed, 'the replica was killed with attempts of its own under way')
  t.ok(onA.size > 0, `replica A acknowledged ${onA.size} creates before it died`)

  // Every acknowledged create is stored: the surviving replica serves it.
  for (const id of acked.keys()) {
    const res = await b.answer({ method: 'GET', path: `/v1/payments/${id}` })
    if (res.status !== 200) t.fail(`acknowledged payment ${id} is gone (${res.status})`)
  }
  t.pass(`${acked.size} acknowledged payments all found`)

  // Every event of an acknowledged payment ends delivered: A's leased attempts once the lease ran out.
  const eventOf = (r: Received): string => r.headers['paylab-event-id'] as string
  const deadline = Date.now() + 15_000
  let mine: Array<{ id: string, payment_id: string, status: string, attempts: unknown[] }> = []
  for (;;) {
    mine = []
    for (const id of acked.keys()) mine.push(...(await b.admin({ method: 'GET', url: `/admin/events?payment_id=${id}` })).json().data as typeof mine)
    if (mine.length === acked.size && mine.every((e) => e.status === 'delivered')) break
    if (Date.now() > deadline) { t.fail(`events not all delivered: ${JSON.stringify(mine.filter((e) => e.status !== 'delivered'))}`); break }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.pass(`the ${mine.length} events of the acknowledged payments are delivered`)
  const received = new Map<string, Received[]>()
  for (const r of rx.requests) received.set(eventOf(r), [...(received.get(eventOf(r)) ?? []), r])
  t.ok(mine.every((e) => received.has(e.id)), 'the receiver got every event')
  // Every recorded attempt reached the receiver once. The only attempts it got beyond those are
  // ones the killed replica made and never recorded (it died first): made again by the other.
  const unrecorded: string[] = []
  for (const e of mine) {
    const got = received.get(e.id) ?? []
    const extra = got.length - e.attempts.length
    if (extra === 0) continue
    const sentAt = Math.round(got[0]!.arrived + performance.timeOrigin - killedAt)
    if (extra !== 1 || sentAt > KILL_SLACK_MS) t.fail(`event ${e.id}: ${got.length} requests for ${e.attempts.length} recorded attempts, the first ${sentAt} ms after the kill`)
    else unrecorded.push(e.id)
  }
  t.pass(`every recorded attempt reached the receiver once; ${unrecorded.length} attempts the killed replica left unrecorded were made again`)
  t.ok(unrecorded.length > 0, 'attempts the killed replica had under way were made again by the other (its leases ran out)')
})

t.test('kill -9 of a replica making a before_answer attempt: the other makes it once the lease runs out', async (t) => {
  const rx = await receiver(t)
  const url = pg.freshSchemaUrl()
  const b = await live(t, { databaseUrl: url, config: { allowPlaintextCards: true, deliveryLeaseMs: LEASE_MS } })
  const { child, url: aUrl } = await replicaProcess(t, url)
  // The first attempt is held open by the receiver: the replica dies while making it.
  rx.answer = (req) => rx.of(req.headers['paylab-event-id'] as string).length === 1 ? 'hang' : 200
  const plainCard = { number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' }
  const body = { merchant_order_id: orderId(), amount: 1000, currency: 'USD', notify_url: rx.url, metadata: { paylab_notification: 'before_answer' }, method: { type: 'card', card: plainCard } }
  const { headers, payload } = signRequest(b.demo, { method: 'POST', path: '/v1/payments', body })
  fetch(`${aUrl}/v1/payments`, { method: 'POST', headers, body: payload }).catch(() => {})
  const [first] = await rx.waitFor(1, 10_000)
  child.kill('SIGKILL')
  const killedAt = Date.now()
  const again = await rx.waitFor(2, LEASE_MS + 10_000).catch(() => rx.requests)
  t.equal(again.length, 2, 'the attempt was made again')
  t.equal(again[1]?.headers['paylab-event-id'], first?.headers['paylab-event-id'], 'for the same event')
  t.ok(Date.now() - killedAt >= LEASE_MS - KILL_SLACK_MS, 'once the lease had run out')
  const events = (await b.admin({ method: 'GET', url: '/admin/events?limit=10' })).json().data as Array<{ status: string, attempts: unknown[] }>
  t.same(events.map((e) => `${e.status} ${e.attempts.length}`), ['delivered 1'], 'recorded delivered by the other replica')
})
