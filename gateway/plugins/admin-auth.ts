// Guards the admin surface with the admin bearer token, compared in constant time. Registered
// inside the admin routes' own scope (routes/admin/index.ts): every route there needs it.
import fp from 'fastify-plugin'
import { safeEqual } from '../engine/crypto.js'
import { ADMIN_UNAUTHORIZED } from '../engine/errors.js'

export default fp(async (app) => {
  app.addHook('onRequest', (request, _reply, done) => {
    const auth = request.headers.authorization ?? ''
    const match = /^Bearer (.+)$/.exec(auth)
    if (match === null || !safeEqual(Buffer.from(match[1] as string), Buffer.from(app.engine.adminToken))) throw ADMIN_UNAUTHORIZED()
    done()
  })
}, { dependencies: ['engine'] })
