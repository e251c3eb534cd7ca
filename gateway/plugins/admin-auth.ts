// Guards the admin surface with the admin bearer token, compared in constant time. Registered
// inside the admin routes' own scope (routes/admin/index.ts): every route there needs it. The
// dashboard checks the same token the same way (adminTokenMatches).
import fp from 'fastify-plugin'
import type { Engine } from '../engine/engine.js'
import { safeEqual } from '../engine/crypto.js'
import { ADMIN_UNAUTHORIZED } from '../engine/errors.js'

/** Whether `token` is the admin token (constant time). */
export const adminTokenMatches = (engine: Engine, token: string): boolean =>
  safeEqual(Buffer.from(token), Buffer.from(engine.adminToken))

/** The admin token an `Authorization: Bearer …` header carries, if it carries the right one. */
export function bearerIsAdmin (engine: Engine, authorization: string | undefined): boolean {
  const match = /^Bearer (.+)$/.exec(authorization ?? '')
  return match !== null && adminTokenMatches(engine, match[1] as string)
}

export default fp(async (app) => {
  app.addHook('onRequest', (request, _reply, done) => {
    if (!bearerIsAdmin(app.engine, request.headers.authorization)) throw ADMIN_UNAUTHORIZED()
    done()
  })
}, { dependencies: ['engine'] })
