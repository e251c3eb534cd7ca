// Without Chromium, a browser test file fails with the one line that names the fix: no stack
// trace, and no skip (a skip would hide the missing coverage in CI).
import t from 'tap'
import { spawn } from 'node:child_process'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromiumPath, disableFeatures } from '../helpers/chromium.js'
import { uncoveredEnv, untracked } from '../helpers/child-env.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

t.test('chromiumPath: PAYLAB_CHROMIUM, else chromium on the PATH, else the fix in one line', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'paylab-nochromium-'))
  t.teardown(() => rm(empty, { recursive: true, force: true }))
  t.same(chromiumPath({ PATH: empty, PAYLAB_CHROMIUM: process.execPath }), { path: process.execPath })
  const none = chromiumPath({ PATH: empty })
  t.same(none, { missing: 'The browser tests need Chromium, which is not installed: apt-get install chromium, or set PAYLAB_CHROMIUM to a Chromium binary.' })
  const wrong = chromiumPath({ PATH: empty, PAYLAB_CHROMIUM: join(empty, 'chrome') })
  t.match(wrong, { missing: `PAYLAB_CHROMIUM=${join(empty, 'chrome')} is not an executable file (apt-get install chromium` })
  const notExecutable = await mkdtemp(join(tmpdir(), 'paylab-nochromium-'))
  t.teardown(() => rm(notExecutable, { recursive: true, force: true }))
  await writeFile(join(notExecutable, 'chromium'), '', { mode: 0o644 })
  t.same(chromiumPath({ PATH: `${notExecutable}:${empty}` }), none, 'a chromium that is not executable is passed over')
  await chmod(join(notExecutable, 'chromium'), 0o755)
  t.same(chromiumPath({ PATH: `${empty}:${notExecutable}` }), { path: join(notExecutable, 'chromium') })
})

t.test('disableFeatures: playwright\'s own --disable-features list and the omnibox popups, in the one flag Chromium reads', async (t) => {
  const [flag, ...more] = disableFeatures()
  t.same(more, [])
  t.match(flag, /^--disable-features=(\w+,)*PaintHolding,(\w+,)*WebUIOmniboxPopup,/, 'the installed playwright-core\'s list is found and kept')
  const bundle = 'var disabledFeatures = [\n  // why\n  "Alpha",\n  channel === "x" && "Beta",\n  "Gamma"\n].filter(Boolean);'
  t.same(disableFeatures(bundle), ['--disable-features=Alpha,Gamma,WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup,PreloadTopChromeWebUI'])
  t.same(disableFeatures('var chromiumSwitches = [];'), [], 'no list found: playwright\'s flag is left alone')
})

t.test('a browser test file without Chromium: exit 1, the fix in one failure, no stack trace', async (t) => {
  const child = spawn(...untracked(process.execPath, ['--import', 'tsx', 'test/browser/browser.test.ts']), {
    cwd: ROOT, stdio: 'pipe', env: uncoveredEnv({ ...process.env, PAYLAB_CHROMIUM: '/nonexistent/chromium' })
  })
  child.stdin.end()
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => { out += s })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  t.equal(code, 1)
  const failures = out.split('\n').filter((line) => /^\s*not ok /.test(line))
  t.same(failures.map((line) => line.trim()), ['not ok 1 - The browser tests need Chromium: PAYLAB_CHROMIUM=/nonexistent/chromium is not an executable file (apt-get install chromium, or set PAYLAB_CHROMIUM to a Chromium binary).'])
  t.notMatch(out, /\n\s+at /, 'no stack trace')
  t.notMatch(out, /# SKIP/i, 'not a skip')
  t.notMatch(out, /^\s*ok /m, 'none of its tests ran')
})
