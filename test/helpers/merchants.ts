// Adds a merchant through the admin API, as an operator would, and returns what it signs with.
import type { TestGateway } from './build.js'
import type { Credentials } from './signer.js'

export async function addMerchant (gw: TestGateway, body: Record<string, unknown> = {}): Promise<Credentials> {
  const res = await gw.admin({ method: 'POST', url: '/admin/merchants', payload: body })
  if (res.statusCode !== 201) throw new Error(`creating a merchant answered ${res.statusCode}: ${res.body}`)
  const created = res.json<{ id: string, hmac_secret: string }>()
  return { merchant: created.id, secret: created.hmac_secret }
}
