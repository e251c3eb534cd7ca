// Browser tests: Debian's Chromium driven by playwright-core (no browser download; its launch in
// chromium.ts), one browser per test file, a fresh context (cookies, storage) per test. The shop
// and gateway are a real pair on port 0 (virtual gateway clock), with the gateway's public URL set to where it listens,
// so next_action sends the browser to its real cashier.
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { Payment } from '../../gateway/engine/types.js'
import { buildPair, type Pair } from './pair.js'

export const SCREENSHOTS = join(process.cwd(), 'artifacts', 'screenshots')

export interface PostedBody { method: string, url: string, body: string }

export interface Session {
  pair: Pair
  context: BrowserContext
  page: Page
  /** Every request with a body the page sent, to any origin. */
  posted: PostedBody[]
  /** A full-page screenshot under artifacts/screenshots/. */
  shot: (name: string) => Promise<void>
  /** The gateway's payment, as it stands. */
  payment: (id: string) => Payment
}

export async function session (t: Test, browser: Browser, viewport = { width: 1100, height: 800 }): Promise<Session> {
  const pair = await buildPair(t, { merchant: { name: 'Demo Shop' } })
  pair.gw.engine.ctx.config.publicUrl = pair.gw.base
  const context = await browser.newContext({ viewport })
  t.teardown(() => context.close())
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  const posted: PostedBody[] = []
  page.on('request', (request) => {
    const body = request.postData()
    if (body !== null) posted.push({ method: request.method(), url: request.url(), body })
  })
  const shot = await shooter(page)
  const payment = (id: string): Payment => {
    const found = pair.gw.engine.findPayment(id)
    if (found === undefined) throw new Error(`the gateway has no payment ${id}`)
    return found
  }
  return { pair, context, page, posted, shot, payment }
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
