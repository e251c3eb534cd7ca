// The data dir holds merchant secrets, the admin token and the gateway's private keys: the folder
// the store creates is 0700, every file it writes 0600, and files an older version left 0644 are
// made 0600 at the next start.
import t from 'tap'
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildGateway } from '../../gateway/server.js'
import { testCrypto } from '../helpers/build.js'

const root = await mkdtemp(join(tmpdir(), 'paylab-modes-'))
t.teardown(() => rm(root, { recursive: true, force: true }))
const mode = async (path: string): Promise<string> => ((await stat(path)).mode & 0o777).toString(8)

async function modes (dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const name of await readdir(dir)) out[name] = await mode(join(dir, name))
  return out
}

t.test('a new data dir is 0700 and its files 0600, snapshot and journals alike', async (t) => {
  const dataDir = join(root, 'nested', 'data')
  const gw = await buildGateway({ dataDir, crypto: testCrypto })
  const created = await gw.app.inject({ method: 'POST', url: '/admin/merchants', headers: { authorization: `Bearer ${gw.engine.adminToken}` }, payload: { id: 'modes-shop' } })
  t.equal(created.statusCode, 201)
  const whileRunning = await modes(dataDir)
  t.ok(Object.keys(whileRunning).some((n) => n.startsWith('journal-')), 'a journal is written')
  await gw.app.close() // compacts: writes the snapshot
  t.equal(await mode(dataDir), '700', 'the folder is the owner\'s alone')
  t.equal(await mode(join(root, 'nested')), '700', 'and so is a parent it created')
  const after = await modes(dataDir)
  t.ok('paylab.json' in after, 'the snapshot is written')
  t.same(Object.values({ ...whileRunning, ...after }).filter((m) => m !== '600'), [], `every file is 0600: ${JSON.stringify({ ...whileRunning, ...after })}`)
})

t.test('store files an older version left 0644 are 0600 after the next start', async (t) => {
  const dataDir = join(root, 'old')
  const first = await buildGateway({ dataDir, crypto: testCrypto })
  await first.app.close()
  for (const name of await readdir(dataDir)) await chmod(join(dataDir, name), 0o644)
  await writeFile(join(dataDir, 'notes.txt'), 'the operator\'s own file')
  await chmod(join(dataDir, 'notes.txt'), 0o644)
  const second = await buildGateway({ dataDir, crypto: testCrypto })
  t.teardown(() => second.app.close())
  const now = await modes(dataDir)
  t.equal(now['paylab.json'], '600', 'the snapshot is made 0600 at start')
  t.equal(now['notes.txt'], '644', 'a file that is not the store\'s is left alone')
  t.equal(second.engine.merchant('demo').id, 'demo', 'the state was read')
})
