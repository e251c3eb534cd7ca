// What key a gateway starts with: an in-memory one the shipped test-only sandbox key (no key
// generation on its start), one with a data dir a key of its own, generated on its first start
// only and kept.
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildGateway } from '../../gateway/server.js'
import { nodeCrypto, type CryptoProvider } from '../../gateway/engine/crypto.js'
import { SANDBOX_TEST_ONLY_KEY } from '../../gateway/engine/sandbox-key.js'
import { testCrypto } from '../helpers/build.js'

function counting (): { crypto: CryptoProvider, generated: () => number } {
  let n = 0
  return { crypto: { ...nodeCrypto, generateRsaKeyPair: () => { n++; return testCrypto.generateRsaKeyPair() } }, generated: () => n }
}

const activePublicKey = (engine: Awaited<ReturnType<typeof buildGateway>>['engine']): string | undefined =>
  (engine.keys().data as Array<{ status: string, public_key: string }>).find((k) => k.status === 'active')?.public_key

t.test('an in-memory gateway starts with the sandbox keys and generates none', async (t) => {
  const { crypto, generated } = counting()
  const { app, engine } = await buildGateway({ memory: true, crypto })
  t.teardown(() => app.close())
  t.equal(activePublicKey(engine), SANDBOX_TEST_ONLY_KEY.publicKeyPem)
  t.equal(generated(), 0, 'no key generated, the channel profiles\' demo keys included')
  t.ok(engine.channelCredentials('demo', 'alipay'), 'the demo merchant has its Alipay app all the same')
  t.match(SANDBOX_TEST_ONLY_KEY.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/)
  await engine.rotateKey()
  t.equal(generated(), 1, 'a key made after the start (a rotation) is generated')
})

t.test('a gateway with a data dir generates its own key once and keeps it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'paylab-start-key-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const first = counting()
  const one = await buildGateway({ dataDir: dir, crypto: first.crypto })
  const key = activePublicKey(one.engine)
  await one.app.close()
  t.equal(first.generated(), 3, 'generated on the first start: the gateway key, the demo merchant\'s Alipay app key and the Alipay platform key')
  t.not(key, SANDBOX_TEST_ONLY_KEY.publicKeyPem, 'not the published key')
  const second = counting()
  const two = await buildGateway({ dataDir: dir, crypto: second.crypto })
  t.teardown(() => two.app.close())
  t.equal(activePublicKey(two.engine), key, 'the same key after a restart')
  t.equal(second.generated(), 0, 'none generated on a later start')
})
