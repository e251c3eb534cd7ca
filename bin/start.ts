// `paylab start` (npm start): the gateway and the reference shop in one process, wired to each
// other over HTTP like two separate parties — the shop only knows the gateway's URL and its
// merchant credentials.
import { rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loggerOptions, parseLogOptions } from '../gateway/log-options.js'
import { stopWithNpmParent } from './npm-parent.js'

export const START_USAGE = `Usage: paylab start [options]

  --host <host>          address both listen on (default 127.0.0.1)
  --port <port>          gateway port (default 7400; 0 picks a free one)
  --shop-port <port>     shop port (default 7500; 0 picks a free one)
  --data-dir <dir>       folder for both stores (default .paylab; the shop uses <dir>/shop)
  --public-url <url>     the gateway's URL as buyers' browsers and phones reach it (cashier pages, QR
                         codes; e.g. http://192.168.1.20:7400 with --host 0.0.0.0; default: where it listens)
  --memory               keep nothing on disk
  --log-level <level>    pino level: fatal, error, warn, info, debug, trace, silent (default warn)
  --log-format <format>  json or pretty (default pretty on a terminal, else json)
  -h, --help             this text
`

export async function runStart (argv: string[]): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '7400' },
        'shop-port': { type: 'string', default: '7500' },
        'data-dir': { type: 'string', default: '.paylab' },
        'public-url': { type: 'string' },
        memory: { type: 'boolean', default: false },
        'log-level': { type: 'string', default: 'warn' },
        'log-format': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }))
  } catch (err) {
    process.stderr.write(`paylab start: ${(err as Error).message}\n\n${START_USAGE}`)
    return 2
  }
  if (values.help) { process.stdout.write(START_USAGE); return 0 }
  const publicUrl = values['public-url']
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+\/?$/.test(publicUrl)) {
    process.stderr.write(`paylab start: --public-url must be an http(s) origin such as http://192.168.1.20:7400, not ${publicUrl}\n\n${START_USAGE}`)
    return 2
  }
  const log = parseLogOptions(values['log-level'], values['log-format'])
  if ('error' in log) {
    process.stderr.write(`paylab start: ${log.error}\n\n${START_USAGE}`)
    return 2
  }
  // Loaded once the options are parsed, so that --help and a usage error load none of it.
  const [{ default: closeWithGrace }, { buildGateway }, { buildShop, listenShop }, { demoWechatpay, demoWechatpayCredentials }, { alipayDemoLines }] = await Promise.all([
    import('close-with-grace'), import('../gateway/server.js'), import('../merchant/shop/server.js'),
    import('../gateway/channels/wechatpay/demo.js'), import('../gateway/channels/alipay/index.js')
  ])
  // The demo merchant's WeChat Pay keys are made as the gateway starts: with --memory, the shipped
  // TEST ONLY keys serve, as for its other demo keys, rather than two generated ones (~0.6 s of CPU).
  const gateway = await buildGateway({ dataDir: values['data-dir'], memory: values.memory, logger: await loggerOptions(log, 'gateway'), onReady: async (engine) => { await demoWechatpayCredentials(engine) } })
  const gatewayUrl = new URL(await gateway.app.listen({ host: values.host, port: Number(values.port) })).origin
  gateway.engine.setPublicUrl(publicUrl === undefined ? gatewayUrl : new URL(publicUrl).origin)
  const demo = gateway.engine.merchant('demo')
  const { app: shopApp, shop } = await buildShop({
    gateway: { baseUrl: gatewayUrl, merchantId: demo.id, secret: demo.hmac_secret },
    dataDir: `${values['data-dir']}/shop`,
    memory: values.memory,
    logger: await loggerOptions(log, 'shop')
  })
  const shopUrl = await listenShop(shopApp, shop, values.host, Number(values['shop-port']))
  const wechatFile = join(values.memory ? await privateTempDir() : values['data-dir'], 'wechatpay-demo.json')
  const wechat = await demoWechatpay(gateway.engine, wechatFile, gatewayUrl)
  process.stdout.write([
    '',
    `paylab is running`,
    `  shop (open this):  ${shopUrl}`,
    `  gateway:           ${gatewayUrl}   (API docs ${gatewayUrl}/docs)`,
    `  dashboard:         ${gatewayUrl}/dashboard   (log in with the admin token)`,
    `  admin token:       ${gateway.engine.adminToken}`,
    `  demo merchant:     Paylab-Merchant: ${demo.id}   HMAC secret: ${demo.hmac_secret}`,
    `  WeChat Pay v3:     baseURL ${gatewayUrl}  mchid ${wechat.mchid}  appid ${wechat.appid}  serial ${wechat.merchant_serial_no}`,
    `                     ${wechat.platform_public_key_id}  APIv3 key ${wechat.apiv3_key}`,
    `                     keys and certificate: ${wechatFile} (docs/channels/wechatpay.md)`,
    ...stripeLines(gateway.engine.channelCredentials(demo.id, 'stripe') as StripeKeys | undefined, gatewayUrl),
    ...alipayDemoLines(gateway.engine, gatewayUrl),
    '',
    'Ctrl-C to stop.',
    ''
  ].join('\n') + '\n')
  closeWithGrace({ delay: 10_000 }, async () => {
    await shopApp.close()
    await gateway.app.close()
  })
  stopWithNpmParent()
  return 0
}

/**
 * With --memory the demo's WeChat Pay keys file (mode 0600) still needs a place on disk: a folder
 * of the owner's alone (mkdtemp, 0700, a name no one can claim first), removed as the process exits,
 * whether it ends normally or by SIGINT/SIGTERM (close-with-grace exits through process.exit).
 */
async function privateTempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-'))
  process.once('exit', () => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

interface StripeKeys { secret_key: string, publishable_key: string, webhook_secret: string, webhook_url: string | null }

/** The demo merchant's Stripe keys (docs/channels/stripe.md): stripe-node takes host, port and protocol. */
function stripeLines (keys: StripeKeys | undefined, gatewayUrl: string): string[] {
  if (keys === undefined) return []
  const { hostname, port } = new URL(gatewayUrl)
  return [
    `  Stripe (demo):     secret key ${keys.secret_key}   publishable key ${keys.publishable_key}`,
    `                     webhook secret ${keys.webhook_secret}   webhook URL ${keys.webhook_url ?? 'none (POST /v1/webhook_endpoints)'}`,
    `                     new Stripe(key, { host: '${hostname}', port: ${port}, protocol: 'http' })`
  ]
}
