// Scenarios must fail, clearly, against a merchant that gets it wrong: one that charges twice
// when an answer is lost, one that acts on answers whose signature it never checked.
import t, { type Test } from 'tap'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { buildGateway } from '../../gateway/server.js'
import { fakeMerchant } from './fake-merchant.js'
import { CATALOGUE, fixture, run } from './helpers.js'

const TRANSPORT = `${CATALOGUE}/transport.yaml`

/**
 * A gateway of the test's own, with one merchant wired to a fake shop of the given build. The
 * shop gives up on an unanswered create after 2 s ("timeout, nothing processed" holds it for a
 * minute): what these tests look at is what it does next, not how long it waited. Not less: at a
 * load average of 12 an ordinary create took over 0.5 s, the shop charged it again, and the
 * scenario saw 3 payments instead of 2.
 */
async function externalShop (t: Test, build: 'correct' | 'double-charge' | 'trusting') {
  const { app, engine } = await buildGateway({ memory: true, clock: new VirtualClock(), logger: false })
  t.teardown(async () => { app.server.closeAllConnections(); await app.close() })
  const gateway = new URL(await app.listen({ port: 0, host: '127.0.0.1' })).origin
  engine.setPublicUrl(gateway)
  const merchant = await engine.createMerchant({ name: `fake ${build}` })
  const shop = await fakeMerchant(t, build, { gateway, merchant_id: merchant.id, secret: merchant.hmac_secret }, 2000)
  return { gatewayUrl: gateway, adminToken: engine.adminToken, shopUrl: shop.url, shopMerchant: merchant.id, shopSecret: merchant.hmac_secret }
}

const result = (out: Awaited<ReturnType<typeof run>>, name: string) => {
  const r = out.results.find((x) => x.scenario.name === name)
  if (r === undefined) throw new Error(`no result for ${name}`)
  return r
}

t.test('a shop that charges again under a new order id fails "charged, but the answer was lost"', async (t) => {
  const out = await run({ paths: [TRANSPORT], ...await externalShop(t, 'double-charge') })
  t.equal(out.code, 1)
  const lost = result(out, 'charged, but the answer was lost')
  t.equal(lost.outcome, 'failed')
  t.equal(lost.failure?.step?.kind, 'expect.gateway')
  t.same(lost.failure?.mismatches.map((m) => [m.path, m.expected, m.seen]), [['payments', 1, 2]])
  t.match(out.stdout, /✗ charged, but the answer was lost/)
  t.match(out.stdout, /payments: expected 1, seen 2 {2}\(payments of the merchant in this scenario\)/)
  t.match(out.stdout, /POST \/v1\/payments → no answer .*fault=response_lost/, 'the journal lines show the lost answer')
  t.match(out.stdout, /POST \/v1\/payments → 201 .*order=ord_fake\d+-retry/, 'and the second charge')
})

t.test('a shop that trusts unverified answers fails "an answer with a bad signature is not trusted"', async (t) => {
  const out = await run({ paths: [TRANSPORT], ...await externalShop(t, 'trusting') })
  t.equal(out.code, 1)
  const bad = result(out, 'an answer with a bad signature is not trusted')
  t.equal(bad.outcome, 'failed')
  t.equal(bad.failure?.step?.kind, 'expect.journal')
  t.match(bad.failure?.mismatches[0], { path: 'entries', note: 'expected 2 items, saw 1' })
  t.match(out.stdout, /entries: expected \[.*\], seen \[.*"fault":"bad_signature".*\] {2}\(expected 2 items, saw 1\)/)
})

t.test('a service driven by http steps: the correct build passes, the double-charging one fails', async (t) => {
  const good = await fakeMerchant(t, 'correct')
  const passed = await run({ paths: [fixture('own-service.yaml')], vars: { service: good.url } })
  t.equal(passed.code, 0, 'the correct build passes', { output: passed.stdout })
  const bad = await fakeMerchant(t, 'double-charge')
  const failed = await run({ paths: [fixture('own-service.yaml')], vars: { service: bad.url } })
  t.equal(failed.code, 1)
  t.same(failed.results[0]?.failure?.mismatches.map((m) => [m.path, m.seen]), [['payments', 2]])
  t.match(failed.stdout, /own-service\.yaml:\d+ step 4 expect\.gateway/)
})
