// Idempotency as Stripe documents it, through stripe-node unchanged: a replay answers the stored
// bytes with Idempotent-Replayed: true; the same key with other parameters is a 400
// idempotency_error; a key whose first request is still being committed is a 409 that
// stripe-node retries by itself; keys are kept 24 h (engine clock); and a create whose answer is
// lost (response_lost) is recovered by stripe-node's own retry with its own key: one intent.
import t from 'tap'
import Stripe from 'stripe'
import type { Change } from '../../gateway/engine/db.js'
import { MemoryStore } from '../../gateway/store/memory-store.js'
import { client, stripeGateway } from '../helpers/stripe.js'

/** A store whose commits wait while the gate is shut: a request stays "in progress" on demand. */
class GatedStore extends MemoryStore {
  #gate: Promise<void> | undefined
  #open: (() => void) | undefined
  waiting = 0
  shut (): void { this.#gate = new Promise((resolve) => { this.#open = resolve }) }
  release (): void { this.#open?.(); this.#gate = undefined }
  override async append (changes: Change[]): Promise<void> {
    if (this.#gate !== undefined) { this.waiting++; await this.#gate; this.waiting-- }
    await super.append(changes)
  }
}

const until = async (ok: () => boolean): Promise<void> => { while (!ok()) await new Promise((resolve) => setImmediate(resolve)) }

t.test('Idempotency-Key through stripe-node', async (t) => {
  const store = new GatedStore()
  const gw = await stripeGateway(t, { store })
  const { stripe, keys } = await gw.merchant('stripe-idem')

  t.test('a replay answers the stored intent, marked Idempotent-Replayed', async (t) => {
    const params = { amount: 1200, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'order-1' })
    const again = await stripe.paymentIntents.create(params, { idempotencyKey: 'order-1' })
    t.equal(again.id, first.id)
    t.equal(first.lastResponse.headers['idempotent-replayed'], undefined)
    t.equal(again.lastResponse.headers['idempotent-replayed'], 'true')
    const declined = { amount: 900, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }
    const e1 = await stripe.paymentIntents.create(declined, { idempotencyKey: 'order-2' }).catch((e: Stripe.errors.StripeCardError) => e) as Stripe.errors.StripeCardError
    const e2 = await stripe.paymentIntents.create(declined, { idempotencyKey: 'order-2' }).catch((e: Stripe.errors.StripeCardError) => e) as Stripe.errors.StripeCardError
    t.equal((e2.payment_intent as Stripe.PaymentIntent).id, (e1.payment_intent as Stripe.PaymentIntent).id, 'a decline is replayed too, not charged again')
  })

  t.test('the same key with other parameters: StripeIdempotencyError (400)', async (t) => {
    await stripe.paymentIntents.create({ amount: 100, currency: 'usd' }, { idempotencyKey: 'order-3' })
    const err = await stripe.paymentIntents.create({ amount: 101, currency: 'usd' }, { idempotencyKey: 'order-3' }).catch((e: Stripe.errors.StripeError) => e)
    t.ok(err instanceof Stripe.errors.StripeIdempotencyError)
    t.match(err, { statusCode: 400, type: 'StripeIdempotencyError', rawType: 'idempotency_error' })
  })

  t.test('keys are kept 24 hours on the engine clock', async (t) => {
    const before = await stripe.paymentIntents.create({ amount: 300, currency: 'usd' }, { idempotencyKey: 'order-4' })
    gw.clock.advance(23 * 3600_000)
    t.equal((await stripe.paymentIntents.create({ amount: 300, currency: 'usd' }, { idempotencyKey: 'order-4' })).id, before.id, 'still kept after 23 h')
    gw.clock.advance(3600_000 + 1000)
    const after = await stripe.paymentIntents.create({ amount: 301, currency: 'usd' }, { idempotencyKey: 'order-4' })
    t.not(after.id, before.id, 'after 24 h the key is free for a new request')
  })

  t.test('a key in use by a request still under way: 409, retried by stripe-node', async (t) => {
    const params = { amount: 4200, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }
    store.shut()
    const first = stripe.paymentIntents.create(params, { idempotencyKey: 'order-5' })
    await until(() => store.waiting > 0)
    const noRetry = client(keys.secret_key, gw.port)
    const busy = await noRetry.paymentIntents.create(params, { idempotencyKey: 'order-5', maxNetworkRetries: 0 }).catch((e: Stripe.errors.StripeError) => e)
    t.match(busy, { statusCode: 409, code: 'idempotency_key_in_use' })
    const conflicts = () => gw.engine.localJournal({ channel: 'stripe', status: 409 }).length
    const seen = conflicts()
    const retried = stripe.paymentIntents.create(params, { idempotencyKey: 'order-5' })
    await until(() => conflicts() > seen)
    store.release()
    const [a, b] = await Promise.all([first, retried])
    t.equal(b.id, a.id, 'stripe-node retried the 409 and got the first request\'s answer')
    t.equal(b.lastResponse.headers['idempotent-replayed'], 'true')
  })

  t.test('response_lost on create: stripe-node retries with its own key, one intent', async (t) => {
    const { stripe: lossy } = await gw.merchant('stripe-lost')
    await gw.admin('POST', '/admin/rules', { merchant_id: 'stripe-lost', match: { method: 'POST', path: '/v1/payment_intents' }, fault: 'response_lost', times: 1 })
    const pi = await lossy.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })
    t.equal(pi.status, 'succeeded')
    const made = gw.engine.merchantPayments('stripe-lost')
    t.equal(made.length, 1, 'exactly one PaymentIntent')
    const entries = gw.engine.localJournal({ merchant_id: 'stripe-lost', path: '/v1/payment_intents' }).sort((a, b) => a.seq - b.seq)
    t.match(entries, [{ fault: 'response_lost', status: null, idempotency: 'new' }, { fault: null, status: 200, idempotency: 'replayed' }])
    t.equal(pi.lastResponse.headers['idempotent-replayed'], 'true')
  })
})
