// RSA private-key operations (a card envelope's OAEP unwrap, an RSA-SHA256 answer signature) on
// worker threads: each costs ~0.6–1 ms of one core, which on the event loop is time no other
// request is served, and leaves the machine's other cores idle. The engine asks its
// CryptoProvider for the async form (engine/crypto.ts); this adapter gives it one that runs here.
//
// Workers start on the first RSA operation, not with the gateway (most gateways, and every test
// that sends no card, never need them), and keep the process alive only while they hold work.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { CryptoProvider } from '../engine/crypto.js'

// Plain CommonJS run with `eval`, so that the same code serves the TypeScript sources (tsx) and
// dist/ without a worker file to resolve. Each worker parses a PEM key once and keeps it.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createPrivateKey, privateDecrypt, sign, constants } = require('node:crypto')
const keys = new Map()
function key (pem) {
  let k = keys.get(pem)
  if (k === undefined) { if (keys.size >= 256) keys.clear(); k = createPrivateKey(pem); keys.set(pem, k) }
  return k
}
parentPort.on('message', ({ id, op, pem, data }) => {
  try {
    const out = op === 'decrypt'
      ? privateDecrypt({ key: key(pem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, data)
      : sign('sha256', data, { key: key(pem), padding: constants.RSA_PKCS1_PADDING })
    const bytes = new Uint8Array(out) // a copy of its own, so that only its bytes cross
    parentPort.postMessage({ id, ok: true, out: bytes }, [bytes.buffer])
  } catch (err) {
    parentPort.postMessage({ id, ok: false, message: String(err && err.message) })
  }
})
`

type Op = 'decrypt' | 'sign'
interface Pending { resolve: (out: Buffer) => void, reject: (err: Error) => void }
interface Slot { worker: Worker, pending: Map<number, Pending> }
type Reply = { id: number, ok: true, out: Uint8Array } | { id: number, ok: false, message: string }

export class RsaWorkerPool {
  readonly #size: number
  readonly #slots: Array<Slot | undefined>
  #seq = 0
  #closed = false

  constructor (size = availableParallelism()) {
    this.#size = Math.max(1, size)
    this.#slots = new Array<Slot | undefined>(this.#size).fill(undefined)
  }

  rsaOaepDecrypt (pem: string, data: Buffer): Promise<Buffer> { return this.#run('decrypt', pem, data) }
  rsaSha256Sign (pem: string, data: Buffer): Promise<Buffer> { return this.#run('sign', pem, data) }

  #run (op: Op, pem: string, data: Buffer): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new Error('the RSA worker pool is closed'))
    const slot = this.#leastBusy()
    const id = ++this.#seq
    return new Promise<Buffer>((resolve, reject) => {
      // A worker keeps the process alive while it holds work, and only then.
      if (slot.pending.size === 0) slot.worker.ref()
      slot.pending.set(id, { resolve, reject })
      // A copy of the bytes alone (a small Buffer is a view of a shared 8 KiB pool, all of which
      // would be cloned), handed over rather than cloned again.
      const bytes = new Uint8Array(data)
      slot.worker.postMessage({ id, op, pem, data: bytes }, [bytes.buffer])
    })
  }

  /** The worker with the fewest operations waiting, started if it is not running. */
  #leastBusy (): Slot {
    let best: Slot | undefined
    for (let i = 0; i < this.#size; i++) {
      const slot = this.#slots[i] ?? (this.#slots[i] = this.#start(i))
      if (best === undefined || slot.pending.size < best.pending.size) best = slot
      if (slot.pending.size === 0) break
    }
    return best as Slot
  }

  #start (index: number): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], env: {} })
    const slot: Slot = { worker, pending: new Map() }
    worker.unref()
    worker.on('message', (reply: Reply) => {
      const pending = slot.pending.get(reply.id)
      if (pending === undefined) return
      slot.pending.delete(reply.id)
      if (slot.pending.size === 0) worker.unref()
      if (reply.ok) pending.resolve(Buffer.from(reply.out.buffer, reply.out.byteOffset, reply.out.byteLength))
      else pending.reject(new Error(reply.message))
    })
    // A worker that dies fails what it was given; the next operation starts a new one.
    const fail = (err: Error): void => {
      if (this.#slots[index] === slot) this.#slots[index] = undefined
      for (const p of slot.pending.values()) p.reject(err)
      slot.pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`an RSA worker exited (code ${code})`)))
    return slot
  }

  async close (): Promise<void> {
    this.#closed = true
    const running = this.#slots.filter((s) => s !== undefined)
    this.#slots.fill(undefined)
    await Promise.all(running.map((s) => s.worker.terminate()))
  }
}

/** `base` with its RSA private-key operations also offered async, run on `pool`. */
export function pooledCrypto (base: CryptoProvider, pool: RsaWorkerPool): CryptoProvider {
  return {
    ...base,
    rsaOaepDecryptAsync: (pem, data) => pool.rsaOaepDecrypt(pem, data),
    rsaSha256SignAsync: (pem, data) => pool.rsaSha256Sign(pem, typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
  }
}
