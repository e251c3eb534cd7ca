// examples/stripe/checkout.mjs runs as its README says, with the demo merchant's Stripe key (which
// the gateway gives the demo merchant at start and `npm start` prints), against a gateway on port 0.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { stripeGateway } from '../helpers/stripe.js'
import { uncoveredEnv, untracked } from '../helpers/child-env.js'

t.test('examples/stripe/checkout.mjs against a running gateway', async (t) => {
  const gw = await stripeGateway(t)
  const demo = gw.engine.channelCredentials('demo', 'stripe') as { secret_key: string }
  t.match(demo.secret_key, /^sk_test_/, 'the demo merchant has Stripe keys')
  const { stdout } = await promisify(execFile)(...untracked(process.execPath, ['examples/stripe/checkout.mjs', gw.url]), { env: uncoveredEnv({ ...process.env, STRIPE_SECRET_KEY: demo.secret_key }), timeout: 30_000 })
  t.match(stdout, /pm_card_visa: pi_\w+ succeeded/)
  t.match(stdout, /StripeCardError card_declined decline_code=insufficient_funds/)
  t.match(stdout, /after the page: succeeded/)
  t.match(stdout, /webhook: charge\.refunded ch_/)
  t.match(stdout, /5 webhooks verified/)
  t.notMatch(stdout, /webhook refused/)
})
