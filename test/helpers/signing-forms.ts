// A crypto provider that counts its RSA signatures by form (sync rsaSha256Sign, async
// rsaSha256SignAsync on a real worker pool), to prove which form signed what.
import type { RsaWorkerPool } from '../../gateway/crypto/worker-pool.js'
import type { CryptoProvider } from '../../gateway/engine/crypto.js'
import { distinctKeysCrypto } from './fixture-keys.js'

export interface SignCalls { sync: number, async: number }

/** Distinct fixture keys (merchant, platform and gateway keys differ); the async form only `withAsync`. */
export function countingCrypto (pool: RsaWorkerPool, withAsync: boolean): { crypto: CryptoProvider, calls: SignCalls } {
  const base = distinctKeysCrypto()
  const calls = { sync: 0, async: 0 }
  const crypto: CryptoProvider = {
    ...base,
    rsaSha256Sign: (pem, data) => { calls.sync++; return base.rsaSha256Sign(pem, data) }
  }
  if (withAsync) crypto.rsaSha256SignAsync = (pem, data) => { calls.async++; return pool.rsaSha256Sign(pem, Buffer.from(data)) }
  return { crypto, calls }
}

/** What a call made of each form. */
export async function counted<T> (calls: SignCalls, run: () => Promise<T>): Promise<{ result: T, sync: number, async: number }> {
  const before = { ...calls }
  const result = await run()
  return { result, sync: calls.sync - before.sync, async: calls.async - before.async }
}
