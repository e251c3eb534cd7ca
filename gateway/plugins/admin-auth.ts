// Guards /admin/* with the admin bearer token, compared in constant time.
import fp from 'fastify-plugin'
import { safeEqual } from '../engine/crypto.js'
import { ADMIN_UNAUTHORIZED } from '../engine/errors.js'

export default fp(async (app) => {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/admin/') && request.url !== '/admin') return
    const auth = request.headers.authorization ?? ''
    const match = /^Bearer (.+)$/.exec(auth)
    if (match === null || !safeEqual(Buffer.from(match[1] as string), Buffer.from(app.engine.adminToken))) throw ADMIN_UNAUTHORIZED()
  })
}, { name: 'admin-auth', dependencies: ['engine'] })
