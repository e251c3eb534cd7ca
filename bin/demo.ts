// `paylab demo` (npm run demo): one purchase from product to paid order, without a person, told
// in a terminal. A scripted buyer does over plain HTTP what the browser does (no browser needed):
// it posts the shop's forms, follows the redirects to the channel's hosted page, encrypts the
// card with the public key that page carries (the same envelope the page's Web Crypto makes) and
// posts only that. Each step is printed with what the shop wrote in the order's timeline meanwhile.
import { parseArgs } from 'node:util'
import { luhnValid } from '../gateway/engine/cards.js'
import { METHODS } from '../merchant/shop/web/shopping-pages.js'

// The ways the shop's checkout offers, so that every one the help lists can be bought with.
const METHOD_VALUES = METHODS.map((m) => m.value)
const valueList = (values: readonly string[]): string => `${values.slice(0, -1).join(', ')} or ${String(values.at(-1))}`

export const DEMO_USAGE = `Usage: paylab demo [options]

  --method <m>     how the buyer pays: ${valueList(METHOD_VALUES.map((v) => v === 'card' ? 'card (default)' : v))}
  --card <number>  a test card (default 4242424242424242; 4000002760003184 asks for 3-D Secure,
                   4000000000000002 is declined; docs/failures.md lists them all)
  -h, --help       this text
`

/** Where the demo prints: the process's stdout and stderr, or a test's capture of them. */
export interface DemoOutput {
  stdout: { write: (text: string) => unknown }
  stderr: { write: (text: string) => unknown }
}

interface Page { status: number, location: string | null, cookie: string | null, text: string }

async function http (url: string, form?: Record<string, string>, cookie?: string): Promise<Page> {
  const res = await fetch(url, {
    method: form === undefined ? 'GET' : 'POST',
    redirect: 'manual',
    headers: { ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), ...(cookie === undefined ? {} : { cookie }) },
    ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() })
  })
  return { status: res.status, location: res.headers.get('location'), cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null, text: await res.text() }
}

const attr = (html: string, name: string): string => {
  const m = new RegExp(`${name}="([^"]*)"`).exec(html)
  if (m === null) throw new Error(`the page has no ${name}`)
  return (m[1] as string).replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)))
}
const text = (html: string, cls: string): string => new RegExp(`class="${cls}"[^>]*>([^<]*)<`).exec(html)?.[1] ?? ''

export async function runDemo (argv: string[], io: DemoOutput = process): Promise<number> {
  /** A bad value: one line that says what would do, exit 2. */
  const usageError = (message: string): number => {
    io.stderr.write(`paylab demo: ${message}\n`)
    return 2
  }
  let values
  try {
    ({ values } = parseArgs({ args: argv, options: { method: { type: 'string', default: 'card' }, card: { type: 'string', default: '4242424242424242' }, help: { type: 'boolean', short: 'h', default: false } } }))
  } catch (err) {
    io.stderr.write(`paylab demo: ${(err as Error).message}\n\n${DEMO_USAGE}`)
    return 2
  }
  if (values.help) { io.stdout.write(DEMO_USAGE); return 0 }
  if (!METHOD_VALUES.includes(values.method)) {
    return usageError(`--method ${values.method} is not one of ${valueList(METHOD_VALUES)}`)
  }
  const cardNumber = values.card.replace(/[\s-]/g, '')
  if (!/^\d{12,19}$/.test(cardNumber) || !luhnValid(cardNumber)) {
    return usageError(`--card ${values.card} is not a card number (12 to 19 digits that pass the Luhn check): 4242424242424242 is paid, 4000002760003184 asks for 3-D Secure, 4000000000000002 is declined`)
  }
  const out = (line = ''): void => { io.stdout.write(`${line}\n`) }

  // Loaded once the options are parsed, so that --help and a usage error load none of it.
  const [{ buildGateway }, { encryptCard }, { buildShop, listenShop }] = await Promise.all([
    import('../gateway/server.js'), import('../merchant/sdk/index.js'), import('../merchant/shop/server.js')
  ])
  const gateway = await buildGateway({ memory: true })
  const gatewayUrl = new URL(await gateway.app.listen({ host: '127.0.0.1', port: 0 })).origin
  gateway.engine.setPublicUrl(gatewayUrl)
  const demo = gateway.engine.merchant('demo')
  const { app: shopApp, shop } = await buildShop({ gateway: { baseUrl: gatewayUrl, merchantId: demo.id, secret: demo.hmac_secret }, memory: true })
  const shopUrl = await listenShop(shopApp, shop, '127.0.0.1', 0)
  let printed = 0
  let orderId: string | undefined
  const timeline = (): void => {
    const entries = orderId === undefined ? [] : shop.order(orderId).timeline
    for (const e of entries.slice(printed)) out(`      ${e.at.slice(11, 19)}  [shop] ${e.text}`)
    printed = entries.length
  }
  let n = 0
  const step = (words: string): void => { timeline(); out(`  ${++n}. ${words}`) }

  try {
    out(`paylab demo: one purchase, from the product to the paid order\n  shop ${shopUrl}   channel ${gatewayUrl}\n`)
    const product = shop.deps.catalogue[0]
    if (product === undefined) throw new Error('the catalogue is empty')
    await http(`${shopUrl}/`)
    step(`The buyer opens the shop and picks "${product.name}".`)
    const cart = await http(`${shopUrl}/cart`, { product_id: product.id, op: 'add' })
    const cookie = cart.cookie ?? ''
    step(`It goes into the cart; at checkout the buyer chooses to pay by ${values.method.replace('wallet:', '')}.`)
    const checkout = await http(`${shopUrl}/checkout`, { method: values.method }, cookie)
    let location = checkout.location ?? ''
    orderId = /ord_[A-Za-z0-9]+/.exec(location)?.[0] ?? shop.deps.store.list().at(-1)?.id
    if (!location.startsWith(gatewayUrl)) throw new Error(`checkout did not lead to the channel's page (${checkout.status} ${location})`)
    let page = await http(location)
    step(`The shop sends the buyer to the channel's payment page: ${text(page.text, 'merchant')}, ${text(page.text, 'order')}, ${text(page.text, 'amount')}.`)
    let answer: Page
    if (values.method === 'card') {
      const key = { id: attr(page.text, 'data-key-id'), public_key: attr(page.text, 'data-public-key') }
      const envelope = encryptCard({ number: cardNumber, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: '123' }, key)
      step(`The buyer types the card ending in ${cardNumber.slice(-4)}; it is encrypted for the channel's key ${key.id} and only the envelope is posted.`)
      answer = await http(`${gatewayUrl}/cashier/${location.split('/').pop() as string}/card`, { ...envelope })
      if (answer.location?.startsWith('/cashier/') === true) {
        location = `${gatewayUrl}${answer.location}`
        page = await http(location)
        step('The card asks for 3-D Secure: the buyer enters the code their bank sent (123456 in the sandbox).')
        answer = await http(location, { code: '123456' })
      }
    } else {
      step(`The buyer ${values.method === 'bank_transfer' ? 'confirms the bank transfer' : 'approves the payment in the wallet'}.`)
      answer = await http(location, { action: 'pass' })
    }
    if (answer.status !== 303 || answer.location === null) throw new Error(`the payment page answered ${answer.status}: ${answer.text.slice(0, 300)}`)
    step('The channel sends the buyer back to the shop, which asks the channel rather than trust the redirect.')
    await http(answer.location)
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && !shop.order(orderId as string).timeline.some((e) => e.kind === 'notification')) await new Promise((resolve) => setTimeout(resolve, 50))
    timeline()
    const order = shop.order(orderId as string)
    const notified = order.timeline.some((e) => e.kind === 'notification')
    out(`\nOrder ${order.id}: ${order.status.replace('_', ' ')}${notified ? ', confirmed by a signed notification' : ', but no notification arrived'}. npm start does the same in a browser.`)
    return notified && order.status !== 'pending_payment' ? 0 : 1
  } finally {
    await shopApp.close()
    await gateway.app.close()
  }
}
