// Log lines: pino JSON when stdout is not a terminal, pino-pretty for a person (--log-format
// pretty, the default on a terminal), and a clear usage error for a level or format pino lacks.
import t from 'tap'
import { parseLogOptions } from '../gateway/log-options.js'
import { runCli, startGateway } from './helpers/cli.js'

t.test('the format defaults by whether stdout is a terminal; bad values are refused by name', async (t) => {
  t.same(parseLogOptions('info', undefined, true), { level: 'info', format: 'pretty' })
  t.same(parseLogOptions('debug', undefined, false), { level: 'debug', format: 'json' })
  t.same(parseLogOptions('warn', 'json', true), { level: 'warn', format: 'json' }, 'an explicit format wins')
  t.match(parseLogOptions('loud', undefined, false), { error: /--log-level must be one of fatal, error, warn, info, debug, trace, silent, not "loud"/ })
  t.match(parseLogOptions('info', 'xml', false), { error: /--log-format must be json or pretty/ })
  for (const command of ['gateway', 'start']) {
    const bad = await runCli([command, '--log-format', 'xml'])
    t.equal(bad.code, 2, `paylab ${command}: a usage error`)
    t.match(bad.stderr, /--log-format must be json or pretty, not "xml"/)
    t.notMatch(bad.stderr, /\n\s+at /, 'no stack trace')
  }
})

t.test('piped, the gateway logs JSON lines; with --log-format pretty, lines for a person', async (t) => {
  const [json, pretty] = await Promise.all([
    startGateway(t, ['--memory', '--port', '0']),
    startGateway(t, ['--memory', '--port', '0', '--log-format', 'pretty'])
  ])
  for (const gw of [json, pretty]) t.equal((await fetch(`${gw.url}/healthz`)).status, 200)
  const logs = async (gw: typeof json): Promise<string> => {
    const { stdout } = await gw.stop()
    return stdout.slice(stdout.indexOf('/pay client:'))
  }
  const jsonLines = (await logs(json)).split('\n').slice(1).filter((l) => l.trim() !== '')
  t.ok(jsonLines.length > 0, 'something was logged')
  for (const line of jsonLines) t.doesNotThrow(() => JSON.parse(line), `a JSON line: ${line.slice(0, 60)}`)
  t.ok(jsonLines.some((l) => (JSON.parse(l) as { msg?: string }).msg === 'request completed'), 'the request is logged')
  const prettyText = await logs(pretty)
  t.match(prettyText, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: request completed$/m, 'a time, the level and the message')
  t.notMatch(prettyText, /^\{"level"/m, 'no JSON lines')
})
