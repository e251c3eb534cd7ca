// A gateway on a virtual clock and a real receiver set up as a merchant's notify_url: what every
// notification test starts from.
import type { Test } from 'tap'
import { VirtualClock } from '../../gateway/engine/clock.js'
import type { GatewayOptions } from '../../gateway/server.js'
import { PAYLAB_ONLY } from './build.js'
import { live, sharedLive, type LiveGateway } from './live.js'
import { addMerchant } from './merchants.js'
import { receiver, verifying, type Receiver } from './receiver.js'
import type { Credentials } from './signer.js'

export const DEFAULT_SCHEDULE = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600]

export interface NotifyBench {
  gw: LiveGateway
  rx: Receiver
  shop: Credentials
  /** The gateway's public keys by id, as GET /v1/keys lists them. */
  gatewayKeys: Record<string, string>
  now: () => number
  /** A card payment by the shop, over the socket (4242 succeeds). */
  pay: (extra?: Record<string, unknown>, number?: string) => Promise<any>
  /** A signed POST by the shop (capture, cancel, refund); throws unless 2xx. */
  post: (path: string, body?: Record<string, unknown>) => Promise<any>
  events: (query?: string) => Promise<any[]>
  event: (id: string) => Promise<any>
  /** The receiver answers 200 to what verifies and 400 to what does not, on its own (real) clock. */
  verifyingAnswer: () => void
}

// paylab's own notifications: the gateway serves paylab's protocol and API only (PAYLAB_ONLY).
export async function notifyBench (t: Test, merchant: Record<string, unknown> = {}, options: GatewayOptions = {}): Promise<NotifyBench> {
  const gw = await live(t, { ...PAYLAB_ONLY, clock: new VirtualClock(), ...options })
  return await benchOn(t, gw, merchant)
}

/**
 * notifyBench() on the file's one gateway and virtual clock (sharedLive): a receiver and a
 * merchant of its own for each test. For a file whose tests need no gateway setting of their own
 * (those still call notifyBench) and each leave no delivery due: a delivery left for a later
 * advance of the shared clock would go to a closed receiver's port, or to a later test's
 * receiver on the same port; so would an expiry or resolution still scheduled. So a test that
 * leaves either fails the next bench, naming it.
 */
export function sharedNotifyBench (): (t: Test, merchant?: Record<string, unknown>) => Promise<NotifyBench> {
  const gateway = sharedLive({ ...PAYLAB_ONLY, clock: new VirtualClock() })
  let previous: { bench: NotifyBench, test: string } | undefined
  return async (t, merchant = {}) => {
    if (previous !== undefined) {
      const due = (await previous.bench.events()).filter((e: { next_attempt_at: string | null }) => e.next_attempt_at !== null)
      // An expiry or a resolution still scheduled would fire, and notify, at a later test's advance.
      const { gw, shop } = previous.bench
      const scheduled = gw.engine.scheduledTasks().filter((k) => k.kind !== 'event.deliver' && gw.engine.findPayment(k.ref)?.merchant_id === shop.merchant)
      const left = previous.test
      previous = undefined
      if (due.length > 0) throw new Error(`"${left}" left ${due.length} notification(s) due on the shared gateway: give it notifyBench() of its own`)
      if (scheduled.length > 0) throw new Error(`"${left}" left ${scheduled.length} payment task(s) scheduled on the shared gateway (${scheduled.map((k) => k.kind).join(', ')}): give it notifyBench() of its own`)
    }
    const bench = await benchOn(t, await gateway(t), merchant)
    previous = { bench, test: t.name }
    return bench
  }
}

async function benchOn (t: Test, gw: LiveGateway, merchant: Record<string, unknown>): Promise<NotifyBench> {
  const now = (): number => gw.engine.clock.now()
  const rx = await receiver(t, { now })
  const shop = await addMerchant(gw, { notify_url: rx.url, ...merchant })
  const keys = await gw.answer({ method: 'GET', path: '/v1/keys' })
  const gatewayKeys = Object.fromEntries((keys.json().data as Array<{ id: string, public_key: string }>).map((k) => [k.id, k.public_key]))
  const post = async (path: string, body: Record<string, unknown> = {}): Promise<any> => {
    const res = await gw.answer({ method: 'POST', path, body }, shop)
    if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${res.text}`)
    return res.json()
  }
  const events = async (query = ''): Promise<any[]> => {
    const res = await gw.admin({ method: 'GET', url: `/admin/events?merchant_id=${shop.merchant}${query === '' ? '' : `&${query}`}` })
    if (res.statusCode !== 200) throw new Error(`GET /admin/events answered ${res.statusCode}: ${res.body}`)
    return res.json().data
  }
  const event = async (id: string): Promise<any> => {
    const res = await gw.admin({ method: 'GET', url: `/admin/events/${id}` })
    if (res.statusCode !== 200) throw new Error(`GET /admin/events/${id} answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }
  return {
    gw,
    rx,
    shop,
    gatewayKeys,
    now,
    pay: (extra = {}, number = '4242424242424242') => gw.create(gw.cardPayment(number, extra), {}, shop),
    post,
    events,
    event,
    verifyingAnswer: () => { rx.answer = verifying({ secret: shop.secret, gatewayKeys }, Date.now) }
  }
}

/** The attempt times of an event, in seconds after its first attempt. */
export const offsets = (event: { attempts: Array<{ at: string }> }): number[] => {
  const first = Date.parse(event.attempts[0]?.at ?? '')
  return event.attempts.map((a) => (Date.parse(a.at) - first) / 1000)
}

/** Running sums of a schedule: when each attempt after the first is due. */
export const cumulative = (schedule: number[]): number[] => schedule.reduce<number[]>((acc, s) => [...acc, (acc.at(-1) ?? 0) + s], [0])
