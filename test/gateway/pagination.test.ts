// Cursor pagination of GET /v1/payments: newest first, and a walk with next_cursor visits every
// payment exactly once, even while new payments arrive.
import t from 'tap'
import { PAYLAB_ONLY, sharedGateway, type TestGateway } from '../helpers/build.js'
import { addMerchant } from '../helpers/merchants.js'
import { signRequest, type Credentials } from '../helpers/signer.js'

// One gateway for the file; each test is a merchant of its own on it (helpers/build.ts).
const gateway = sharedGateway(PAYLAB_ONLY)

interface Page { object: string, data: Array<{ id: string, merchant_id: string }>, has_more: boolean, next_cursor: string | null }

async function createMany (gw: TestGateway, n: number, creds?: Credentials): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await gw.signed({ method: 'POST', path: '/v1/payments', body: gw.cardPayment('4242424242424242', { amount: 100 + i }) }, creds)
    if (res.statusCode !== 201) throw new Error(`create answered ${res.statusCode}: ${res.body}`)
    ids.push(res.json().id)
  }
  return ids
}

const list = (gw: TestGateway, query: string, creds?: Credentials) =>
  gw.signed({ method: 'GET', path: `/v1/payments${query === '' ? '' : `?${query}`}` }, creds)

async function page (gw: TestGateway, query: string, creds?: Credentials): Promise<Page> {
  const res = await list(gw, query, creds)
  if (res.statusCode !== 200) throw new Error(`list answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

/** Follows next_cursor to the end and returns every id seen, in order. */
async function walk (gw: TestGateway, limit: number, pages: number[] = []): Promise<string[]> {
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const p: Page = await page(gw, `limit=${limit}${cursor === null ? '' : `&starting_after=${cursor}`}`)
    pages.push(p.data.length)
    seen.push(...p.data.map((x) => x.id))
    cursor = p.next_cursor
    if (p.has_more !== (cursor !== null)) throw new Error('has_more and next_cursor disagree')
  } while (cursor !== null)
  return seen
}

t.test('newest first, with limit and next_cursor', async (t) => {
  const gw = await gateway(t)
  const ids = await createMany(gw, 5)
  const all = await page(gw, '')
  t.equal(all.object, 'list')
  t.same(all.data.map((p) => p.id), [...ids].reverse(), 'newest first')
  t.equal(all.has_more, false)
  t.equal(all.next_cursor, null)

  const first = await page(gw, 'limit=2')
  t.same(first.data.map((p) => p.id), [ids[4], ids[3]])
  t.equal(first.has_more, true)
  t.equal(first.next_cursor, ids[3], 'the cursor is the last id of the page')
  const second = await page(gw, `limit=2&starting_after=${first.next_cursor as string}`)
  t.same(second.data.map((p) => p.id), [ids[2], ids[1]])
  const last = await page(gw, `limit=2&starting_after=${second.next_cursor as string}`)
  t.same(last.data.map((p) => p.id), [ids[0]])
  t.equal(last.has_more, false)
  t.equal(last.next_cursor, null)
  const exact = await page(gw, `limit=1&starting_after=${ids[1] as string}`)
  t.same(exact.data.map((p) => p.id), [ids[0]])
  t.equal(exact.has_more, false, 'a page that ends the list exactly says so')
})

t.test('a walk through all pages has no duplicates and no gaps; the default limit is 20', async (t) => {
  const gw = await gateway(t)
  const ids = await createMany(gw, 23)
  const sizes: number[] = []
  const seen = await walk(gw, 5, sizes)
  t.same(sizes, [5, 5, 5, 5, 3])
  t.same(seen, [...ids].reverse())
  t.equal(new Set(seen).size, 23, 'no payment seen twice')
  const byDefault = await page(gw, '')
  t.equal(byDefault.data.length, 20)
  t.equal(byDefault.has_more, true)
  t.same(await walk(gw, 100), [...ids].reverse(), 'one page of 100 holds them all')
})

t.test('payments created during a walk neither shift nor repeat the older pages', async (t) => {
  const gw = await gateway(t)
  const older = await createMany(gw, 6)
  const first = await page(gw, 'limit=3')
  const newer = await createMany(gw, 4)
  const second = await page(gw, `limit=3&starting_after=${first.next_cursor as string}`)
  t.same([...first.data, ...second.data].map((p) => p.id), [...older].reverse())
  t.equal(second.has_more, false)
  t.same((await page(gw, 'limit=4')).data.map((p) => p.id), [...newer].reverse(), 'a fresh walk starts with the new ones')
})

t.test('each merchant lists only its own payments', async (t) => {
  const gw = await gateway(t)
  const other = await addMerchant(gw)
  const mine = await createMany(gw, 3)
  const theirs = await createMany(gw, 2, other)
  t.same((await page(gw, '')).data.map((p) => p.id), [...mine].reverse())
  const p = await page(gw, '', other)
  t.same(p.data.map((x) => x.id), [...theirs].reverse())
  t.ok(p.data.every((x) => x.merchant_id === other.merchant))
})

t.test('a cursor that is not one of the merchant\'s payments is 400 PAYLAB_CURSOR_INVALID', async (t) => {
  const gw = await gateway(t)
  await createMany(gw, 2)
  const other = await addMerchant(gw)
  const [foreign] = await createMany(gw, 1, other)
  const refund = await gw.signed({ method: 'POST', path: `/v1/payments/${foreign as string}/refunds`, body: { merchant_refund_id: 'r-1' } }, other)
  for (const cursor of ['pay_doesnotexist0000000', foreign as string, refund.json().id as string]) {
    const res = await list(gw, `starting_after=${cursor}`)
    t.equal(res.statusCode, 400, `${cursor}: ${res.body}`)
    t.equal(res.json().error.code, 'PAYLAB_CURSOR_INVALID')
    t.equal(res.json().error.field, 'starting_after')
  }
  const malformed = await list(gw, 'starting_after=not%20an%20id')
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().error.code, 'PAYLAB_VALIDATION_FAILED')
})

t.test('limit must be a whole number from 1 to 100', async (t) => {
  const gw = await gateway(t)
  await createMany(gw, 2)
  for (const limit of ['0', '101', '-1', '2.5', 'ten', '']) {
    const res = await list(gw, `limit=${limit}`)
    t.equal(res.statusCode, 400, `limit=${limit}: ${res.body}`)
    t.equal(res.json().error.code, 'PAYLAB_VALIDATION_FAILED')
    t.equal(res.json().error.field, 'limit')
  }
  t.equal((await page(gw, 'limit=1')).data.length, 1)
  t.equal((await page(gw, 'limit=100')).data.length, 2)
  const unknown = await list(gw, 'limit=2&sort=asc')
  t.equal(unknown.statusCode, 400, 'an unknown query parameter is refused, not ignored')
})

t.test('a %-escaped /v1 path is authenticated like the plain one', async (t) => {
  const gw = await gateway(t)
  const bare = await gw.app.inject({ method: 'GET', url: '/%761/payments' })
  t.equal(bare.statusCode, 401, bare.body)
  t.equal(bare.json().error.code, 'PAYLAB_AUTH_HEADERS_MISSING')
  // The signature covers the path as sent, escapes included.
  const { headers } = signRequest(gw.demo, { method: 'GET', path: '/%761/payments' })
  const signed = await gw.app.inject({ method: 'GET', url: '/%761/payments', headers })
  t.equal(signed.statusCode, 200, signed.body)
  t.type(signed.headers['paylab-signature'], 'string', 'the answer is signed')
})
