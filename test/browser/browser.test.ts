// The browser tests, in one test process with one Chromium: launching the browser and loading
// the gateway, the shop and playwright once rather than once per concept. Each concept keeps its
// own file (card, three-ds, wallet, expiry, the channel SDKs' alipay-page-pay and stripe-3ds, and the dashboard) and every test its own browser context and pair;
// the screenshots go to artifacts/screenshots/ as before.
import t from 'tap'
import { launch } from '../helpers/browser.js'
import cardTests from './card.js'
import threeDsTests from './three-ds.js'
import walletTests from './wallet.js'
import expiryTests from './expiry.js'
import alipayPagePayTests from './alipay-page-pay.js'
import stripeThreeDsTests from './stripe-3ds.js'
import dashboardTests from './dashboard.js'

const browser = await launch(t)
cardTests(t, browser)
threeDsTests(t, browser)
walletTests(t, browser)
expiryTests(t, browser)
alipayPagePayTests(t, browser)
stripeThreeDsTests(t, browser)
dashboardTests(t, browser)
