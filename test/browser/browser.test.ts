// The browser tests, in one test process with one Chromium: launching the browser and loading
// the gateway, the shop and playwright once rather than once per concept. Each concept keeps its
// own file (card, three-ds, wallet, expiry, and the channel SDKs' alipay-page-pay and stripe-3ds,
// and the dashboard); they share one browser context and page (cleared for each test) and the
// card, three-ds and wallet tests one shop and gateway (helpers/browser.ts's kit). The
// screenshots go to artifacts/screenshots/ as before. The concepts are loaded once Chromium is
// there: without it the file ends with its one failure before loading the gateway and the shop.
import t from 'tap'
import { launch } from '../helpers/chromium.js'

const browser = await launch(t)
const [{ kit }, ...concepts] = await Promise.all([
  import('../helpers/browser.js'),
  import('./card.js'), import('./three-ds.js'), import('./wallet.js'), import('./expiry.js'), import('./alipay-page-pay.js'), import('./stripe-3ds.js'), import('./dashboard.js')
])
const tools = kit(t, browser)
for (const { default: tests } of concepts) tests(t, tools)
