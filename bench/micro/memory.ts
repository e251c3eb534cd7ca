// Memory per stored payment: a gateway opened on an empty data dir and on one seeded with N
// payments (bench/server.ts seed: a third each cards, wallets, bank transfers, settled), RSS and
// heap after full collections, and the difference per payment.
//   npx tsx bench/micro/memory.ts [N]
import { fork } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPairSync } from 'node:crypto'
import { seedStores } from '../processes.js'
import type { MicroStats } from './server.js'

const N = Number(process.argv[2] ?? 100_000)
const root = await mkdtemp(join(tmpdir(), 'paylab-memory-'))
const publicKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()

async function opened (dir: string): Promise<MicroStats> {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [dir, publicKey], {
    execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const next = <T>(type: string): Promise<T> => new Promise((resolve) => {
    const on = (m: { type: string }): void => { if (m.type === type) { child.off('message', on); resolve(m as T) } }
    child.on('message', on)
  })
  await next('ready')
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const stats = next<MicroStats>('stats')
  child.send({ type: 'stats' })
  const s = await stats
  await new Promise((resolve) => { child.once('exit', resolve); child.send({ type: 'close' }) })
  return s
}

try {
  const empty = await opened(join(root, 'empty'))
  const seeded = await seedStores([[join(root, 'large'), N]])
  process.stdout.write(`seeded ${N} payments in ${(seeded.ms / 1000).toFixed(1)} s\n`)
  const large = await opened(join(root, 'large'))
  const per = (a: number, b: number): string => ((b - a) * 2 ** 20 / large.payments).toFixed(0)
  process.stdout.write(`empty: RSS ${empty.rssMb.toFixed(1)} MB, heap ${empty.heapMb.toFixed(1)} MB\n`)
  process.stdout.write(`${large.payments} payments: RSS ${large.rssMb.toFixed(1)} MB, heap ${large.heapMb.toFixed(1)} MB\n`)
  process.stdout.write(`per payment: RSS ${per(empty.rssMb, large.rssMb)} B, heap ${per(empty.heapMb, large.heapMb)} B\n`)
} finally {
  await rm(root, { recursive: true, force: true })
}
