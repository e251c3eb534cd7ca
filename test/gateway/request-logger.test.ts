// A request's logger binds its reqId only when the request logs at an enabled level: the lines
// are those of an eager child logger, and a request that logs nothing costs no child.
import t from 'tap'
import { pino } from 'pino'
import { lazyRequestLogger } from '../../gateway/request-logger.js'
import { build, PAYLAB_ONLY } from '../helpers/build.js'

function capture (level: string) {
  const lines: Array<Record<string, unknown>> = []
  const parent = pino({ level }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } })
  let made = 0
  const child = parent.child.bind(parent)
  Object.assign(parent, { child: (...args: Parameters<typeof child>) => { made++; return child(...args) } })
  return { parent, lines, children: () => made }
}

t.test('a request that logs below the level makes no child logger and writes nothing', async (t) => {
  const { parent, lines, children } = capture('warn')
  const log = lazyRequestLogger(parent, { reqId: 'req_quiet' }, {}) as ReturnType<typeof lazyRequestLogger> & { isLevelEnabled: (level: string) => boolean }
  log.info('incoming request')
  log.debug({ x: 1 }, 'details')
  t.equal(lines.length, 0, 'nothing written')
  t.equal(children(), 0, 'no child made')
  t.equal(log.level, 'warn', 'the level is the parent\'s')
  t.notOk(log.isLevelEnabled('info'))
  t.ok(log.isLevelEnabled('error'))
})

t.test('the first line at an enabled level carries the request id, as an eager child\'s would', async (t) => {
  const { parent, lines, children } = capture('warn')
  const log = lazyRequestLogger(parent, { reqId: 'req_loud' }, {})
  log.error({ code: 'X' }, 'unexpected failure')
  log.warn('second')
  log.info('not written')
  t.equal(children(), 1, 'one child, made at the first enabled line')
  t.match(lines, [{ level: 50, reqId: 'req_loud', code: 'X', msg: 'unexpected failure' }, { level: 40, reqId: 'req_loud', msg: 'second' }])
  t.equal(lines.length, 2)
})

t.test('a level set on the request logger applies to it alone', async (t) => {
  const { parent, lines } = capture('warn')
  const log = lazyRequestLogger(parent, { reqId: 'req_debug' }, {})
  log.level = 'debug'
  log.debug('now written')
  t.match(lines, [{ level: 20, reqId: 'req_debug', msg: 'now written' }])
  t.equal(parent.level, 'warn', 'the parent keeps its level')
})

t.test('a route with a level of its own gets its child at once', async (t) => {
  const { parent, lines, children } = capture('warn')
  const log = lazyRequestLogger(parent, { reqId: 'req_route' }, { level: 'info' })
  t.equal(children(), 1)
  log.info('route line')
  t.match(lines, [{ level: 30, reqId: 'req_route', msg: 'route line' }])
})

t.test('the gateway logs each request with its id at info, and nothing per request at warn', async (t) => {
  for (const level of ['info', 'warn']) {
    const lines: Array<Record<string, unknown>> = []
    const gw = await build(t, { ...PAYLAB_ONLY, logger: { level, stream: { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } } } })
    const before = lines.length
    const res = await gw.signed({ method: 'GET', path: '/v1/payments?limit=1' })
    t.equal(res.statusCode, 200, res.body)
    const id = res.headers['paylab-request-id']
    const mine = lines.slice(before).filter((l) => l.reqId === id)
    if (level === 'info') {
      t.match(mine, [{ msg: 'incoming request', req: { method: 'GET' } }, { msg: 'request completed', res: { statusCode: 200 } }], 'info: both lines, with the request id')
    } else {
      t.equal(lines.length - before, 0, 'warn: no line for a request that went well')
    }
  }
})
