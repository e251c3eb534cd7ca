// Browser tests: Debian's Chromium driven by playwright-core (no browser download; its launch in
// chromium.ts), one browser, context and page per test file, its cookies cleared for each test.
// The shop and gateway are a real pair on port 0 (virtual gateway clock), with the gateway's
// public URL set to where it listens, so next_action sends the browser to its real cashier.
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { Browser, BrowserContext, Page, Request } from 'playwright-core'
import type { Payment } from '../../gateway/engine/types.js'
import { buildPair, type Pair } from './pair.js'

export const SCREENSHOTS = join(process.cwd(), 'artifacts', 'screenshots')

export interface PostedBody { method: string, url: string, body: string }

export interface Viewport { width: number, height: number }
const DESKTOP: Viewport = { width: 1100, height: 800 }

/** What the browser test file gives each of its modules. */
export interface Kit {
  /** The file's one context and page, for a test: no cookies, the viewport given (1100×800 by default). */
  tab: (viewport?: Viewport) => Promise<Tab>
  /** A buyer in that tab at the file's one Demo Shop (one shop and gateway for the file). */
  shop: (t: Test, viewport?: Viewport) => Promise<Session>
}

export function kit (root: Test, browser: Browser): Kit {
  const tab = tabs(root, browser)
  let pair: Promise<Pair> | undefined
  return { tab, shop: async (t, viewport) => session(t, await tab(viewport), await (pair ??= demoShop(root))) }
}

/** The file's one browser context and its page, as a test gets them. */
export interface Tab {
  context: BrowserContext
  page: Page
  /** A full-page screenshot under artifacts/screenshots/. */
  shot: (name: string) => Promise<void>
}

/**
 * The file's one context and page, made on first use and closed when `root` ends: a new context
 * and page cost Chromium a renderer and a window each (~0.5 s of CPU). Each test gets them with no
 * cookies (the shop's cart and the dashboard's login are cookies; nothing uses web storage) and
 * its own viewport; other tabs a test opens are its to close.
 */
function tabs (root: Test, browser: Browser): (viewport?: Viewport) => Promise<Tab> {
  let made: Promise<Tab> | undefined
  const make = async (): Promise<Tab> => {
    const context = await browser.newContext({ viewport: DESKTOP })
    root.teardown(() => context.close())
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    return { context, page, shot: await shooter(page) }
  }
  return async (viewport = DESKTOP) => {
    const tab = await (made ??= make())
    await tab.context.clearCookies()
    await tab.page.setViewportSize(viewport)
    return tab
  }
}

/** The reference shop ("Demo Shop") and its gateway on port 0, which sends buyers to its real cashier. */
export async function demoShop (t: Test): Promise<Pair> {
  const pair = await buildPair(t, { merchant: { name: 'Demo Shop' } })
  pair.gw.engine.setPublicUrl(pair.gw.base)
  return pair
}

export interface Session extends Tab {
  pair: Pair
  /** Every request with a body the page sent during the test, to any origin. */
  posted: PostedBody[]
  /** The gateway's payment, as it stands. */
  payment: (id: string) => Payment
}

/** A buyer at `pair`'s shop in the tab, for one test: what the page posts from now on is recorded. */
export function session (t: Test, tab: Tab, pair: Pair): Session {
  const posted: PostedBody[] = []
  const record = (request: Request): void => {
    const body = request.postData()
    if (body !== null) posted.push({ method: request.method(), url: request.url(), body })
  }
  tab.page.on('request', record)
  t.teardown(() => { tab.page.off('request', record) })
  const payment = (id: string): Payment => {
    const found = pair.gw.engine.findPayment(id)
    if (found === undefined) throw new Error(`the gateway has no payment ${id}`)
    return found
  }
  return { ...tab, pair, posted, payment }
}

/**
 * A full-page screenshot of the page under artifacts/screenshots/, by name. Taken through the
 * DevTools protocol with `optimizeForSpeed`: the same pixels as page.screenshot's PNG, compressed
 * less (files ~1.5x larger), for a third of the CPU (~0.08 s a shot rather than ~0.2 s, most of
 * it zlib in the browser process; 26 shots a run).
 */
export async function shooter (page: Page): Promise<(name: string) => Promise<void>> {
  await mkdir(SCREENSHOTS, { recursive: true })
  const cdp = await page.context().newCDPSession(page)
  return async (name) => {
    await page.evaluate(async () => { await document.fonts.ready })
    const { cssContentSize: { width, height } } = await cdp.send('Page.getLayoutMetrics')
    const { data } = await cdp.send('Page.captureScreenshot', {
      format: 'png', optimizeForSpeed: true, captureBeyondViewport: true, clip: { x: 0, y: 0, width, height, scale: 1 }
    })
    await writeFile(join(SCREENSHOTS, `${name}.png`), Buffer.from(data, 'base64'))
  }
}

/**
 * A merchant's return page on port 0: a buyer sent back by a channel lands here; `render` answers
 * the page for the URL it came back with (and may judge it), `got` keeps every URL.
 */
export async function landing (t: Test, render: (url: URL) => string): Promise<{ url: string, got: URL[] }> {
  const got: URL[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    // Chromium asks every origin for its icon: not a buyer coming back.
    if (url.pathname === '/favicon.ico') return res.writeHead(404).end()
    got.push(url)
    res.setHeader('content-type', 'text/html; charset=utf-8')
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>${render(url)}</body></html>`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got }
}

/** Products → cart → checkout with a method (card, wallet:alipay, wallet:wechat_pay, bank_transfer); ends on the cashier. */
export async function buy (s: Session, method: string, shots = false): Promise<string> {
  const { page } = s
  await page.goto(`${s.pair.shopUrl}/`)
  if (shots) await s.shot('1-products')
  await page.locator('[data-product="prod_001"] button').click()
  await page.waitForURL('**/cart')
  if (shots) await s.shot('2-cart')
  await page.getByRole('link', { name: 'Go to checkout' }).click()
  await page.locator(`input[name="method"][value="${method}"]`).check()
  if (shots) await s.shot('3-checkout')
  await page.getByRole('button', { name: /Continue to payment/ }).click()
  await page.waitForURL('**/cashier/**')
  return new URL(page.url()).pathname.split('/')[2] as string
}

/** Types a card into the cashier's form and submits it. */
export async function payByCard (page: Page, number: string, exp = '12 / 34', cvc = '123'): Promise<void> {
  await page.getByLabel('Card number').fill(number)
  await page.getByLabel('Expiry (MM / YY)').fill(exp)
  await page.getByLabel('Security code (CVC)').fill(cvc)
  await page.getByRole('button', { name: /^Pay / }).click()
}

/** Waits until the shop's order page shows a status (it polls the order's live view). */
export async function orderStatus (page: Page, status: string): Promise<void> {
  await page.waitForURL('**/orders/ord_*')
  await page.locator(`#status[data-status="${status}"]`).waitFor()
}

export const orderIdOf = (page: Page): string => new URL(page.url()).pathname.split('/')[2] as string
