// An answer must never report a write that is not durable yet, even when the request answered
// wrote nothing itself (a repeated order while the first is still being written).
import t, { type Test } from 'tap'
import { createHmac } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { build, PAYLAB_ONLY } from '../helpers/build.js'
import { MemoryStore } from '../../gateway/store/memory-store.js'
import type { Change } from '../../gateway/engine/db.js'

/**
 * A store whose writes stay unfinished until the test opens the gate. `waiting` counts the held
 * writes of a payment (the requests'); the gateway's own background writes (its 1 s ticker
 * delivering the payment's notification, which a loaded machine lets fire inside the hold) are
 * held too but not counted.
 */
class GatedStore extends MemoryStore {
  #closed = false
  #waiting: Array<{ resolve: () => void, payment: boolean }> = []
  #parked: Array<() => void> = []
  get waiting (): number { return this.#waiting.filter((w) => w.payment).length }
  hold (): void { this.#closed = true }
  release (): void {
    this.#closed = false
    for (const { resolve } of this.#waiting.splice(0)) resolve()
  }

  /** Resolves once a payment's write is held at the gate (however long the machine takes to get there). */
  held (): Promise<void> {
    return this.waiting > 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#parked.push(resolve))
  }

  override async append (changes: Change[]): Promise<void> {
    if (this.#closed) {
      const payment = changes.some((c) => c.table === 'payments')
      await new Promise<void>((resolve) => {
        this.#waiting.push({ resolve, payment })
        if (payment) for (const parked of this.#parked.splice(0)) parked()
      })
    }
    await super.append(changes)
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30))

/** Sends `send` twice; the second must not be answered before the first's write is durable. */
async function repeatWhileWriting (t: Test, store: GatedStore, send: () => Promise<LightMyRequestResponse>): Promise<[LightMyRequestResponse, LightMyRequestResponse]> {
  store.hold()
  const first = send()
  await store.held()
  await tick()
  t.equal(store.waiting, 1, 'the first write is under way')
  let answeredEarly = false
  const second = send().then((res) => { answeredEarly = store.waiting > 0; return res })
  await tick()
  store.release()
  const answers = await Promise.all([first, second])
  t.notOk(answeredEarly, 'the repeat was not answered while the write it reports was unfinished')
  return answers
}

t.test('a repeated /pay order waits for the first one to be durable', async (t) => {
  const store = new GatedStore()
  const gw = await build(t, { ...PAYLAB_ONLY, store })
  const body = '{"user_id": "u", "order_id": "durable-1", "amount": 12.5, "currency": "USD"}'
  const signature = createHmac('sha256', 'your-api-key').update(body).digest('hex')
  const send = () => gw.app.inject({ method: 'POST', url: '/pay', headers: { 'content-type': 'application/json', signature }, payload: body })
  const [first, second] = await repeatWhileWriting(t, store, send)
  t.equal(second.json().payment_id, first.json().payment_id)
  t.equal(second.json().status, 'success')
})

t.test('a repeated merchant_order_id on /v1/payments waits the same way', async (t) => {
  const store = new GatedStore()
  const gw = await build(t, { ...PAYLAB_ONLY, store })
  const body = gw.cardPayment('4242424242424242')
  const [first, second] = await repeatWhileWriting(t, store, () => gw.signed({ method: 'POST', path: '/v1/payments', body }))
  t.equal(first.statusCode, 201, first.body)
  t.equal(second.json().id, first.json().id)
})
