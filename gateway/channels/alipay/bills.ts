// alipay.data.dataservice.bill.downloadurl.query gives a link to the day's bill; the link is
// this route. Alipay's links expire after 30 seconds and need no credentials: the link carries
// an HMAC (keyed with the app's Alipay key) over the app, the day and the expiry. The bill is
// the same CSV as /v1/statements, so both reconcile against the same rows.
import type { FastifyInstance } from 'fastify'
import { equalDigests } from '../../engine/crypto.js'
import type { Engine } from '../../engine/engine.js'
import type { AlipayCredentials } from './credentials.js'

export const BILL_LINK_SECONDS = 30

const mac = (engine: Engine, creds: AlipayCredentials, date: string, expires: string): Buffer =>
  engine.crypto.hmacSha256(creds.alipay_private_key, `alipay-bill\n${creds.app_id}\n${date}\n${expires}`)

export function billUrl (engine: Engine, creds: AlipayCredentials, date: string, nowMs = Date.now()): string {
  const expires = String(Math.floor(nowMs / 1000) + BILL_LINK_SECONDS)
  const url = new URL(`${engine.config.publicUrl}/alipay/bills/${creds.app_id}/${date}.csv`)
  url.searchParams.set('expires', expires)
  url.searchParams.set('signature', mac(engine, creds, date, expires).toString('base64url'))
  return url.toString()
}

interface BillRequest { Params: { app_id: string, date: string }, Querystring: { expires?: string, signature?: string } }

export default async function billRoutes (app: FastifyInstance): Promise<void> {
  const { engine } = app
  app.get<BillRequest>('/alipay/bills/:app_id/:date', { config: { contract: false } }, async (request, reply) => {
    const { app_id: appId, date: file } = request.params
    const { expires = '', signature = '' } = request.query
    const date = file.endsWith('.csv') ? file.slice(0, -4) : file
    const merchant = /^\d{6,32}$/.test(appId) ? engine.merchantByChannel('alipay', (s) => (s as AlipayCredentials).app_id === appId) : undefined
    const creds = merchant === undefined ? undefined : engine.channelCredentials(merchant.id, 'alipay') as AlipayCredentials
    const valid = creds !== undefined && /^\d{1,12}$/.test(expires) && /^\d{4}-\d{2}-\d{2}$/.test(date) &&
      equalDigests(Buffer.from(signature, 'base64url'), mac(engine, creds, date, expires))
    if (!valid || merchant === undefined) return reply.code(403).type('text/plain; charset=utf-8').send('this bill link is not valid')
    if (Number(expires) * 1000 < Date.now()) return reply.code(403).type('text/plain; charset=utf-8').send('this bill link has expired; ask for a new one')
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${appId}_${date}.csv"`).send(engine.statement(merchant.id, date))
  })
}
