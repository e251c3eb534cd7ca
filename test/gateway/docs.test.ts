// Swagger UI is made on the first visit to /docs (gateway/plugins/docs.ts); what it serves is the
// same as when it was registered at start: the page, its assets, the document, and the gateway's
// own 404 for anything else under /docs.
import t from 'tap'
import { build } from '../helpers/build.js'

t.test('/docs serves Swagger UI, its assets and the document; other /docs paths are the gateway 404', async (t) => {
  const gw = await build(t)
  const page = await gw.app.inject({ method: 'GET', url: '/docs' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  const asset = /src="\.?\/?(?:docs\/)?(static\/[^"]+\.js)"/.exec(page.body)?.[1] ?? 'static/swagger-ui-bundle.js'
  const script = await gw.app.inject({ method: 'GET', url: `/docs/${asset}` })
  t.equal(script.statusCode, 200, `/docs/${asset} is served`)
  t.match(script.headers['content-type'], /javascript/)
  t.ok(script.rawPayload.length > 10_000, 'the whole asset')
  const css = await gw.app.inject({ method: 'HEAD', url: '/docs/static/swagger-ui.css' })
  t.equal(css.statusCode, 200, 'HEAD works too')
  t.equal(css.body, '')
  const missing = await gw.app.inject({ method: 'GET', url: '/docs/no-such-page' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().error.code, 'PAYLAB_ROUTE_NOT_FOUND')
  t.notOk(gw.app.contractRoutes.some((r) => r.includes('/docs')), '/docs is not part of the API contract')
})
