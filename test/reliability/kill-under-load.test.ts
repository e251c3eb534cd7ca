// kill -9 under load, on a healthy disk and on one that fills up and frees again: after the
// restart, every payment that was answered 201 is there, and none that was answered 503 is.
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { JournalStore } from '../../gateway/store/journal-store.js'
import { signRequest } from '../helpers/signer.js'
import { card, encryptCard } from '../helpers/envelope.js'
import { uncoveredEnv, untracked } from '../helpers/child-env.js'

const CHILD = fileURLToPath(new URL('./fixtures/gateway-on-faulty-disk.mjs', import.meta.url))

interface Run { acked: Set<string>, refusedOrders: Set<string>, warnings: string[], stored: Map<string, { merchant_order_id: string }> }

/**
 * Starts the gateway, sends creates from `lanes` concurrent clients, and kills it with SIGKILL
 * once `killAfter` says so (counted in answers, not in time), with requests still in flight.
 */
async function killUnderLoad (t: Test, space: number, killAfter: (acked: number, refused: number) => 'go' | 'free' | 'kill'): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-kill-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const child = spawn(...untracked(process.execPath, [CHILD, dir, String(space)]), { stdio: ['ignore', 'pipe', 'inherit'], env: uncoveredEnv() })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  let out = ''
  const line = (match: (l: string) => boolean): Promise<string> => new Promise((resolve, reject) => {
    const check = (): void => {
      const found = out.split('\n').find(match)
      if (found !== undefined) { child.stdout.off('data', check); resolve(found) }
    }
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); check() })
    void exited.then(() => reject(new Error(`the gateway exited:\n${out}`)))
  })
  const ready = JSON.parse(await line((l) => l.startsWith('{'))) as { url: string, secret: string, key: { id: string, public_key: string } }

  const acked = new Set<string>()
  const refusedOrders = new Set<string>()
  const run = { killed: false }
  let freed = false
  let n = 0
  const lane = async (): Promise<void> => {
    while (!run.killed) {
      const order = `kill-${++n}`
      // Large metadata, as in the report: the disk fills in a few dozen payments.
      const body = { merchant_order_id: order, amount: 1000, currency: 'USD', metadata: { note: 'x'.repeat(400) }, method: { type: 'card', card: { encrypted: encryptCard(ready.key, card('4242424242424242')) } } }
      const { headers, payload } = signRequest({ merchant: 'demo', secret: ready.secret }, { method: 'POST', path: '/v1/payments', body })
      let res: Response
      try {
        res = await fetch(`${ready.url}/v1/payments`, { method: 'POST', headers, body: payload })
      } catch {
        return // killed while this request was in flight: its outcome is unknown, as it is to a client
      }
      const answer = await res.json().catch(() => undefined) as { id?: string, error?: { code: string } } | undefined
      if (res.status === 201 && answer?.id !== undefined) acked.add(answer.id)
      else if (res.status === 503 && answer?.error?.code === 'PAYLAB_STORAGE_UNAVAILABLE') refusedOrders.add(order)
      else if (!run.killed) t.fail(`unexpected answer ${res.status}: ${JSON.stringify(answer)}`)
      const next = killAfter(acked.size, refusedOrders.size)
      if (next === 'free' && !freed) { freed = true; child.kill('SIGUSR2'); await line((l) => l === 'space') }
      if (next === 'kill' && !run.killed) { run.killed = true; child.kill('SIGKILL') }
    }
  }
  await Promise.all(Array.from({ length: 12 }, lane))
  await exited
  t.equal(child.signalCode, 'SIGKILL', 'the gateway was killed, not stopped')

  const warnings: string[] = []
  const store = new JournalStore(dir, { warn: (m) => warnings.push(m) })
  const snapshot = await store.open(() => ({}))
  await store.close()
  const stored = new Map((snapshot.payments ?? []).map((p) => [p.id, p]))
  for (const id of acked) if (!stored.has(id)) t.fail(`acknowledged ${id} is missing after the restart`)
  const storedOrders = new Set([...stored.values()].map((p) => p.merchant_order_id))
  for (const order of refusedOrders) if (storedOrders.has(order)) t.fail(`${order}, answered 503, is stored after the restart`)
  return { acked, refusedOrders, warnings, stored }
}

t.test('kill -9 under load: every acknowledged payment is there after the restart', async (t) => {
  const run = await killUnderLoad(t, Infinity, (acked) => acked >= 60 ? 'kill' : 'go')
  t.ok(run.acked.size >= 60, `${run.acked.size} payments acknowledged before the kill, all of them stored`)
})

t.test('kill -9 under load on a disk that fills up and frees again: acknowledged ones kept, refused ones absent', async (t) => {
  const run = await killUnderLoad(t, 40_000, (acked, refused) => refused >= 20 ? (acked < 100 ? 'free' : 'kill') : acked > 2000 ? 'kill' : 'go')
  t.ok(run.refusedOrders.size >= 20, `${run.refusedOrders.size} creates were refused with 503 while the disk was full, none stored`)
  t.ok(run.acked.size >= 100, `${run.acked.size} acknowledged (before the disk filled and after space came back), all stored`)
})
