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

// Piped, the gateway logs JSON lines: checked on the gateway of test/cli-startup.test.ts (one
// gateway process fewer).
t.test('with --log-format pretty, the gateway logs lines for a person', async (t) => {
  const pretty = await startGateway(t, ['--memory', '--port', '0', '--log-format', 'pretty'])
  t.equal((await fetch(`${pretty.url}/healthz`)).status, 200)
  const { stdout } = await pretty.stop()
  const prettyText = stdout.slice(stdout.indexOf('/pay client:'))
  t.match(prettyText, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: request completed$/m, 'a time, the level and the message')
  t.notMatch(prettyText, /^\{"level"/m, 'no JSON lines')
})
