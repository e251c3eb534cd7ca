// The Chromium the browser tests drive, and its launch. Apart from the rest of the browser helpers
// (the gateway, the shop, playwright), so that a browser test file without Chromium ends before
// loading any of them.
import { accessSync, constants, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { delimiter, join } from 'node:path'
import type { Test } from 'tap'
import type { Browser } from 'playwright-core'

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // Less work per page in a headless run nobody watches or hears: no audio, one device pixel, no
  // smooth-scroll animation, one renderer for the pages of a site rather than per-origin isolation.
  '--mute-audio', '--force-device-scale-factor=1', '--disable-smooth-scrolling', '--disable-site-isolation-trials'
]

/**
 * Chromium features the tests turn off. Headless Chromium gives every window the browser's own
 * WebUI omnibox popups, preloaded in a renderer of their own (~0.5 s of CPU a window, which the
 * tests never show); with one page for the file, cutting them took
 * Chromium from ~21.4 s to ~19.5 s of CPU in browser.test.ts (2 runs each, alternated).
 */
const DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup', 'PreloadTopChromeWebUI']

/**
 * One --disable-features for the launch. Chromium takes only the last one on its command line,
 * and playwright passes its own (features that would change what the tests see, such as
 * PaintHolding) before ours: its list (the unconditional entries) is read from its bundle and
 * repeated in ours. Should the bundle not have it where expected, ours is left out and
 * playwright's stands alone.
 */
export function disableFeatures (bundle = readFileSync(createRequire(import.meta.url).resolve('playwright-core/lib/coreBundle'), 'utf8')): string[] {
  const list = /\bdisabledFeatures = \[([^\]]*)\]/.exec(bundle)?.[1]
  const theirs = [...(list ?? '').matchAll(/^\s*"(\w+)"/gm)].map((m) => m[1] as string)
  return theirs.length === 0 ? [] : [`--disable-features=${[...theirs, ...DISABLED_FEATURES].join(',')}`]
}

const FIX = 'apt-get install chromium, or set PAYLAB_CHROMIUM to a Chromium binary'

function executable (file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/**
 * The Chromium to drive: PAYLAB_CHROMIUM, else `chromium` on the PATH. Without one, the one line
 * that names the fix (the browser tests fail with it rather than skip: CI installs Chromium, and a
 * skip would hide the coverage these tests give).
 */
export function chromiumPath (env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  const fromEnv = env.PAYLAB_CHROMIUM
  if (fromEnv !== undefined && fromEnv !== '') {
    return executable(fromEnv) ? { path: fromEnv } : { missing: `The browser tests need Chromium: PAYLAB_CHROMIUM=${fromEnv} is not an executable file (${FIX}).` }
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, 'chromium'))) return { path: join(dir, 'chromium') }
  }
  return { missing: `The browser tests need Chromium, which is not installed: ${FIX}.` }
}

/**
 * One browser for the whole file; playwright gives each launch a fresh temporary profile. Without
 * Chromium the file fails with one line and ends there: the promise never settles, so the file's
 * own tests are never declared, and tap ends the process when its root test has ended.
 */
export async function launch (t: Test): Promise<Browser> {
  const found = chromiumPath()
  if ('missing' in found) {
    t.fail(found.missing, { diagnostic: false })
    t.end()
    return await new Promise<never>(() => {})
  }
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: found.path, args: [...CHROMIUM_ARGS, ...disableFeatures()], headless: true, timeout: 30_000 })
  t.teardown(() => browser.close())
  return browser
}
