// Guards /admin/* with the admin bearer token, compared in constant time.
import fp from 'fastify-plugin'
import { safeEqual } from '../engine/crypto.js'
import { ADMIN_UNAUTHORIZED } from '../engine/errors.js'

export default fp(async (app) => {
  app.addHook('onRequest', (request, _reply, done) => {
    // The matched route, not the raw URL: the router decodes %-escapes, so /%61dmin/merchants
    // reaches /admin/merchants while its raw URL does not start with /admin/.
    const path = request.routeOptions.url ?? request.url
    if (path.startsWith('/admin/') || path === '/admin') {
      const auth = request.headers.authorization ?? ''
      const match = /^Bearer (.+)$/.exec(auth)
      if (match === null || !safeEqual(Buffer.from(match[1] as string), Buffer.from(app.engine.adminToken))) throw ADMIN_UNAUTHORIZED()
    }
    done()
  })
}, { name: 'admin-auth', dependencies: ['engine'] })
