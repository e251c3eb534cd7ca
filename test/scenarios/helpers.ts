// Runs scenario files in-process and keeps what the runner printed.
import { runScenarios, type RunOptions, type RunOutcome } from '../../scenarios/runner/run.js'
import { nodeCrypto, type CryptoProvider } from '../../gateway/engine/crypto.js'
import { SANDBOX_TEST_ONLY_KEYS } from '../../gateway/engine/sandbox-key.js'

// Every merchant a scenario makes has RSA keys (WeChat Pay: its own and a platform key; Alipay:
// an app key; an RSA merchant's), and generating RSA-2048 costs ~100-300 ms of CPU each. The
// runner's gateway takes the published TEST ONLY keys in turn instead, so that two keys made one
// after the other (a merchant's and its platform's) still differ.
let next = 0
export const fixtureKeysCrypto: CryptoProvider = {
  ...nodeCrypto,
  generateRsaKeyPair: () => SANDBOX_TEST_ONLY_KEYS[next++ % SANDBOX_TEST_ONLY_KEYS.length] as { publicKeyPem: string, privateKeyPem: string }
}

export interface Captured extends RunOutcome { stdout: string, stderr: string }

export async function run (options: Omit<RunOptions, 'stdout' | 'stderr'>): Promise<Captured> {
  let stdout = ''
  let stderr = ''
  const outcome = await runScenarios({ crypto: fixtureKeysCrypto, ...options, stdout: (s) => { stdout += s }, stderr: (s) => { stderr += s } })
  return { ...outcome, stdout, stderr }
}

export const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname
export const CATALOGUE = new URL('../../scenarios/catalogue', import.meta.url).pathname
