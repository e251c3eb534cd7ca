// RSA private-key operations (a card envelope's OAEP unwrap, an RSA-SHA256 answer signature) on
// worker threads: each costs ~0.6–1 ms of one core, which on the event loop is time no other
// request is served, and leaves the machine's other cores idle. The engine asks its
// CryptoProvider for the async form (engine/crypto.ts); this adapter gives it one that runs here.
//
// Workers start on the first RSA operation, not with the gateway (most gateways, and every test
// that sends no card, never need them), and keep the process alive only while they hold work.
import { Worker } from 'node:worker_threads'
import type { CryptoProvider } from '../engine/crypto.js'
import { defaultRsaWorkers } from './parallelism.js'

// Plain CommonJS run with `eval`, so that the same code serves the TypeScript sources (tsx) and
// dist/ without a worker file to resolve. Each worker parses a key once, the first time it is
// sent (with its number), and keeps it under that number. Bytes cross as latin1 strings: a
// string is copied once into the message, where a typed array costs an ArrayBuffer on each side
// (and more work for the main thread's collector). Operations come in batches, in order, and the
// results of a batch go back in one message: a message costs each side more than the bytes in it.
export const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createPrivateKey, privateDecrypt, sign, constants } = require('node:crypto')
const keys = new Map()
parentPort.on('message', (batch) => {
  const ids = []
  const outs = []
  for (const [id, op, key, pem, reset, data] of batch) {
    ids.push(id)
    try {
      if (reset) keys.clear()
      if (pem !== undefined) keys.set(key, createPrivateKey(pem))
      const k = keys.get(key)
      const bytes = Buffer.from(data, 'latin1')
      const out = op === 'decrypt'
        ? privateDecrypt({ key: k, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, bytes)
        : sign('sha256', bytes, { key: k, padding: constants.RSA_PKCS1_PADDING })
      outs.push(out.toString('latin1'))
    } catch (err) {
      outs.push({ message: String(err && err.message) })
    }
  }
  parentPort.postMessage([ids, outs])
})
`

/**
 * The pool could not do the work (a worker died with it, or the pool is closed), as opposed to the
 * work itself failing (a ciphertext that does not open): the operation can still be done elsewhere.
 */
export class RsaPoolUnavailable extends Error {}

/** Keys numbered for the workers; past this many the numbering starts over (workers forget theirs). */
const MAX_KEYS = 256
/**
 * Batches a worker holds at once: while it works on one, the next waits in its queue, so it never
 * idles for a round trip; operations that come meanwhile gather into the batch after.
 */
const IN_FLIGHT = 2
/** Operations in one batch at most: a batch's results come back together, when its last is done. */
const MAX_BATCH = 8

type Op = 'decrypt' | 'sign'
interface Pending { resolve: (out: Buffer) => void, reject: (err: Error) => void }
interface Queued { id: number, op: Op, pem: string, data: string }
interface Slot { worker: Worker, pending: Map<number, Pending>, known: Set<number>, reset: boolean, queue: Queued[], inFlight: number }
/** A batch's ids and, for each, its result bytes (latin1) or what went wrong. */
type Reply = [number[], Array<string | { message: string }>]

export class RsaWorkerPool {
  readonly #size: number
  readonly #slots: Array<Slot | undefined>
  #seq = 0
  #closed = false
  readonly #keyNumbers = new Map<string, number>()
  #keySeq = 0

  readonly #source: string

  /** `source`: the workers' code (a test gives one that dies, to see what the pool does then). */
  constructor (size = defaultRsaWorkers(), source = WORKER_SOURCE) {
    this.#size = Math.max(1, size)
    this.#source = source
    this.#slots = new Array<Slot | undefined>(this.#size).fill(undefined)
  }

  rsaOaepDecrypt (pem: string, data: Buffer): Promise<Buffer> { return this.#run('decrypt', pem, data) }
  rsaSha256Sign (pem: string, data: Buffer): Promise<Buffer> { return this.#run('sign', pem, data) }

  #run (op: Op, pem: string, data: Buffer): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new RsaPoolUnavailable('the RSA worker pool is closed'))
    const slot = this.#leastBusy()
    const id = ++this.#seq
    return new Promise<Buffer>((resolve, reject) => {
      // A worker keeps the process alive while it holds work, and only then.
      if (slot.pending.size === 0) slot.worker.ref()
      slot.pending.set(id, { resolve, reject })
      slot.queue.push({ id, op, pem, data: data.toString('latin1') })
      if (slot.inFlight < IN_FLIGHT) this.#post(slot)
    })
  }

  /** Sends the slot's queued operations (up to MAX_BATCH) as one batch. */
  #post (slot: Slot): void {
    const ops = slot.queue.length <= MAX_BATCH ? slot.queue : slot.queue.slice(0, MAX_BATCH)
    slot.queue = ops === slot.queue ? [] : slot.queue.slice(MAX_BATCH)
    // Key numbers are given as the batch is sent, so that a numbering that starts over reaches
    // the worker in the order of the operations.
    const batch = ops.map(({ id, op, pem, data }) => {
      const key = this.#keyNumber(pem)
      const first = !slot.known.has(key)
      slot.known.add(key)
      const reset = slot.reset
      slot.reset = false
      return [id, op, key, first ? pem : undefined, reset, data]
    })
    slot.inFlight++
    slot.worker.postMessage(batch)
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
    const worker = new Worker(this.#source, { eval: true, execArgv: [], env: {} })
    const slot: Slot = { worker, pending: new Map(), known: new Set(), reset: false, queue: [], inFlight: 0 }
    worker.unref()
    worker.on('message', ([ids, outs]: Reply) => {
      slot.inFlight--
      if (slot.queue.length > 0) this.#post(slot)
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as number
        const pending = slot.pending.get(id)
        if (pending === undefined) continue
        slot.pending.delete(id)
        const out = outs[i] as string | { message: string }
        if (typeof out === 'string') pending.resolve(Buffer.from(out, 'latin1'))
        else pending.reject(new Error(out.message))
      }
      if (slot.pending.size === 0) worker.unref()
    })
    // A worker that dies fails what it was given; the next operation starts a new one.
    const fail = (err: Error): void => {
      if (this.#slots[index] === slot) this.#slots[index] = undefined
      for (const p of slot.pending.values()) p.reject(err)
      slot.pending.clear()
      slot.queue = []
    }
    worker.on('error', (err) => fail(new RsaPoolUnavailable(`an RSA worker failed: ${err.message}`)))
    worker.on('exit', (code) => fail(new RsaPoolUnavailable(`an RSA worker exited (code ${code})`)))
    return slot
  }

  async close (): Promise<void> {
    this.#closed = true
    const running = this.#slots.filter((s) => s !== undefined)
    this.#slots.fill(undefined)
    await Promise.all(running.map((s) => s.worker.terminate()))
  }
}

/**
 * `base` with its RSA private-key operations also offered async, run on `pool`. What the pool
 * cannot do (a worker died holding it, or the pool closed while an answer was being signed) is done
 * by `base` on this thread: a dead worker costs the requests it held some latency, never an error
 * answer — or a notification attempt charged to the merchant's retry schedule.
 */
export function pooledCrypto (base: CryptoProvider, pool: RsaWorkerPool): CryptoProvider {
  const orHere = <T>(run: () => T) => (err: unknown): T => { if (err instanceof RsaPoolUnavailable) return run(); throw err }
  return {
    ...base,
    rsaOaepDecryptAsync: (pem, data) => pool.rsaOaepDecrypt(pem, data).catch(orHere(() => base.rsaOaepDecrypt(pem, data))),
    rsaSha256SignAsync: (pem, data) => {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
      return pool.rsaSha256Sign(pem, bytes).catch(orHere(() => base.rsaSha256Sign(pem, bytes)))
    }
  }
}
