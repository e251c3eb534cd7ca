// The browser tests, in one test process with one Chromium: launching the browser and loading
// the gateway, the shop and playwright once rather than once per concept. Each concept keeps its
// own file (card, three-ds, wallet, expiry, and the channel SDKs' alipay-page-pay and stripe-3ds, and the dashboard) and every test its own browser context and pair;
// the screenshots go to artifacts/screenshots/ as before. The concepts are loaded once Chromium
// is there: without it the file ends with its one failure before loading the gateway and the shop.
import t from 'tap'
import { launch } from '../helpers/chromium.js'

const browser = await launch(t)
const concepts = await Promise.all([
  import('./card.js'), import('./three-ds.js'), import('./wallet.js'), import('./expiry.js'), import('./alipay-page-pay.js'), import('./stripe-3ds.js'), import('./dashboard.js')
])
for (const { default: tests } of concepts) tests(t, browser)
