// The msw examples of the docs run as written, in their own runners, and the docs show them
// byte for byte.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { uncoveredEnv, untracked } from '../helpers/child-env.js'

const run = promisify(execFile)
const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

t.test('the tap example passes under node', async (t) => {
  const { stdout } = await run(...untracked(process.execPath, ['examples/msw/with-tap.mjs']), { cwd: root, timeout: 60_000, env: uncoveredEnv() })
  t.match(stdout, /^ok 2 - a notification is signed and captured/m) // execFile rejects on a failing exit code
  t.notMatch(stdout, /not ok/)
})

t.test('the node:test example passes under node --test', async (t) => {
  const { stdout } = await run(...untracked(process.execPath, ['--test', '--test-reporter=tap', 'examples/msw/with-node-test.mjs']), { cwd: root, timeout: 60_000, env: uncoveredEnv() })
  t.match(stdout, /# pass 2/)
  t.match(stdout, /# fail 0/)
})

t.test('the docs show the examples exactly as they are', async (t) => {
  const doc = read('docs/msw.md')
  for (const file of ['examples/msw/with-tap.mjs', 'examples/msw/with-node-test.mjs']) {
    t.ok(doc.includes(read(file).trimEnd()), `docs/msw.md shows ${file} verbatim`)
  }
  t.ok(read('README.md').includes(read('examples/msw/with-tap.mjs').trimEnd()), 'README.md shows the tap example verbatim')
})
