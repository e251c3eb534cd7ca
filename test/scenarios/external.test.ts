// Driving services the runner did not start: a running gateway (--gateway, the runner still
// starts a shop per scenario), and a running shop wired to one merchant (--shop).
import t, { type Test } from 'tap'
import { VirtualClock } from '../../gateway/engine/clock.js'
import { buildGateway } from '../../gateway/server.js'
import { buildShop, listenShop } from '../../merchant/shop/server.js'
import { CATALOGUE, run } from './helpers.js'

async function gateway (t: Test) {
  const clock = new VirtualClock()
  const { app, engine } = await buildGateway({ memory: true, clock, logger: false })
  t.teardown(async () => { app.server.closeAllConnections(); await app.close() })
  const url = new URL(await app.listen({ port: 0, host: '127.0.0.1' })).origin
  engine.setPublicUrl(url)
  return { url, engine, clock }
}

t.test('--gateway: scenarios that move its clock and count its notifications pass', async (t) => {
  const gw = await gateway(t)
  const before = gw.clock.now()
  const out = await run({ paths: [`${CATALOGUE}/notifications.yaml`, `${CATALOGUE}/expiry.yaml`], gatewayUrl: gw.url, adminToken: gw.engine.adminToken, parallel: 3 })
  t.equal(out.code, 0, 'all passed', { output: out.stdout })
  t.equal(out.results.length, 10)
  t.ok(gw.clock.now() - before >= 3 * 3600_000, 'the scenarios moved that gateway\'s clock by hours')
  t.match(out.stdout, new RegExp(`^paylab scenarios — seed 1, gateway ${gw.url}, a reference shop per scenario$`, 'm'))
})

t.test('--shop: the reference shop, wired to one merchant, passes; what needs the runner\'s own shop is skipped', async (t) => {
  const gw = await gateway(t)
  const merchant = await gw.engine.createMerchant({ name: 'running shop' })
  const { app, shop } = await buildShop({ gateway: { baseUrl: gw.url, merchantId: merchant.id, secret: merchant.hmac_secret, timeoutMs: 2000 }, memory: true, now: () => gw.clock.now() })
  t.teardown(async () => { app.server.closeAllConnections(); await app.close() })
  const shopUrl = await listenShop(app, shop, '127.0.0.1', 0)
  const out = await run({
    paths: [`${CATALOGUE}/transport.yaml`, `${CATALOGUE}/refunds.yaml`, `${CATALOGUE}/signing.yaml`],
    gatewayUrl: gw.url, adminToken: gw.engine.adminToken, shopUrl, shopMerchant: merchant.id, shopSecret: merchant.hmac_secret
  })
  t.equal(out.code, 0, 'passed or skipped', { output: out.stdout })
  t.same(out.results.filter((r) => r.outcome === 'skipped').map((r) => r.scenario.name), ['an RSA merchant', 'an HMAC merchant'])
  t.equal(out.results.filter((r) => r.outcome === 'passed').length, 11)
  t.same(gw.engine.rules(merchant.id), [], 'the merchant\'s rules are cleared after each scenario')
  t.match(out.stdout, /- an RSA merchant {2}\(not run against --shop: it makes its own kind of merchant/)
})
