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
// dist/ without a worker file to resolve. Each worker parses a key once, the first time it is
// sent (with its number), and keeps it under that number. Bytes cross as latin1 strings: a
// string is copied once into the message, where a typed array costs an ArrayBuffer on each side
// (and more work for the main thread's collector).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createPrivateKey, privateDecrypt, sign, constants } = require('node:crypto')
const keys = new Map()
parentPort.on('message', ({ id, op, key, pem, reset, data }) => {
  try {
    if (reset) keys.clear()
    if (pem !== undefined) keys.set(key, createPrivateKey(pem))
    const k = keys.get(key)
    const bytes = Buffer.from(data, 'latin1')
    const out = op === 'decrypt'
      ? privateDecrypt({ key: k, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, bytes)
      : sign('sha256', bytes, { key: k, padding: constants.RSA_PKCS1_PADDING })
    parentPort.postMessage({ id, ok: true, out: out.toString('latin1') })
  } catch (err) {
    parentPort.postMessage({ id, ok: false, message: String(err && err.message) })
  }
})
`

/** Keys numbered for the workers; past this many the numbering starts over (workers forget theirs). */
const MAX_KEYS = 256

type Op = 'decrypt' | 'sign'
interface Pending { resolve: (out: Buffer) => void, reject: (err: Error) => void }
interface Slot { worker: Worker, pending: Map<number, Pending>, known: Set<number>, reset: boolean }
type Reply = { id: number, ok: true, out: string } | { id: number, ok: false, message: string }

export class RsaWorkerPool {
  readonly #size: number
  readonly #slots: Array<Slot | undefined>
  #seq = 0
  #closed = false
  readonly #keyNumbers = new Map<string, number>()
  #keySeq = 0

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
      const key = this.#keyNumber(pem)
      const first = !slot.known.has(key)
      slot.known.add(key)
      const reset = slot.reset
      slot.reset = false
      slot.worker.postMessage({ id, op, key, ...(first ? { pem } : {}), ...(reset ? { reset } : {}), data: data.toString('latin1') })
    })
  }

  /** The number a key goes by between this thread and the workers. */
  #keyNumber (pem: string): number {
    let key = this.#keyNumbers.get(pem)
    if (key !== undefined) return key
    if (this.#keyNumbers.size >= MAX_KEYS) {
      this.#keyNumbers.clear()
      for (const slot of this.#slots) if (slot !== undefined) { slot.known.clear(); slot.reset = true }
    }
    key = ++this.#keySeq
    this.#keyNumbers.set(pem, key)
    return key
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
    const slot: Slot = { worker, pending: new Map(), known: new Set(), reset: false }
    worker.unref()
    worker.on('message', (reply: Reply) => {
      const pending = slot.pending.get(reply.id)
      if (pending === undefined) return
      slot.pending.delete(reply.id)
      if (slot.pending.size === 0) worker.unref()
      if (reply.ok) pending.resolve(Buffer.from(reply.out, 'latin1'))
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
