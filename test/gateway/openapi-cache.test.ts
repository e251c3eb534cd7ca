// The YAML's parse kept as JSON under the hash of the text (gateway/openapi/document.ts): the
// same document whether parsed or read back, a new text is parsed afresh, and a cache that
// cannot be written or read changes nothing but the time taken.
import t from 'tap'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { OPENAPI_PATH, parseYaml } from '../../gateway/openapi/document.js'

const text = readFileSync(OPENAPI_PATH, 'utf8')
// The cache's keeping and refusing do not depend on the document: past the first test, a small
// one (parsing the real one costs ~0.3 s of CPU each time).
const small = "openapi: 3.1.0\ninfo: { title: small, version: '1' }\npaths:\n  /v1/payments: { get: { summary: 'a: b' } }\n"

t.test('the first parse is kept, and read back as the same document', async (t) => {
  const dir = t.testdir()
  const parsed = parseYaml(text, dir)
  t.match(parsed, { openapi: String, paths: { '/v1/payments': Object } })
  const files = readdirSync(dir)
  t.match(files, [/^openapi-[0-9a-f]{32}\.json$/], 'one file, named by the hash')
  t.same(JSON.parse(readFileSync(join(dir, files[0] as string), 'utf8')), parsed)
  // What is read back is the file, not a new parse: a changed file shows.
  writeFileSync(join(dir, files[0] as string), JSON.stringify({ ...parsed, 'x-read-back': true }))
  t.equal((parseYaml(text, dir) as Record<string, unknown>)['x-read-back'], true)
})

t.test('another text has another file', async (t) => {
  const dir = t.testdir()
  parseYaml(small, dir)
  const other = parseYaml(`${small}x-other: 1\n`, dir)
  t.equal(other['x-other'], 1)
  t.equal(readdirSync(dir).length, 2)
})

t.test('a cache that cannot be written or holds no JSON: the text is parsed', async (t) => {
  const dir = t.testdir({ 'not-a-dir': 'a file where the folder would be' })
  t.match(parseYaml(small, join(dir, 'not-a-dir')), { openapi: String })
  const broken = t.testdir()
  parseYaml(small, broken)
  const [file] = readdirSync(broken)
  writeFileSync(join(broken, file as string), '{"half')
  t.match(parseYaml(small, broken), { openapi: String, paths: { '/v1/payments': { get: { summary: 'a: b' } } } }, 'parsed again')
  t.same(JSON.parse(readFileSync(join(broken, file as string), 'utf8')), parseYaml(small, broken), 'and kept again')
})
