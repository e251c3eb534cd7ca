// The dashboard's gate, registered inside its guarded scope: a request passes with the admin
// token in `Authorization: Bearer …` or with a live session cookie (login.ts). Otherwise a page
// answers 401 with the login form and a data endpoint 401 with PAYLAB_ADMIN_UNAUTHORIZED. A
// change made with the cookie must also carry the session's CSRF token (a form field or the
// X-CSRF-Token header); SameSite=Strict already keeps other sites' requests from carrying it.
import fp from 'fastify-plugin'
import { bearerIsAdmin } from '../plugins/admin-auth.js'
import { ADMIN_UNAUTHORIZED, DASHBOARD_CSRF_INVALID } from '../engine/errors.js'
import { cookieValue, COOKIE, csrfMatches, type Sessions } from './session.js'
import { field } from './form.js'
import { loginPage } from './login-page.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The session's CSRF token for the page's forms; null when the admin token came in a header. */
    dashboardCsrf: string | null
  }
  interface FastifyContextConfig {
    /** `page`: an HTML page (answers errors as HTML); `data`: what a page's script fetches. */
    dashboard?: 'page' | 'data'
  }
}

export default fp<{ sessions: Sessions }>(async (app, { sessions }) => {
  app.decorateRequest('dashboardCsrf', null)

  app.addHook('onRequest', async (request, reply) => {
    if (bearerIsAdmin(app.engine, request.headers.authorization)) return
    const session = sessions.find(cookieValue(request.headers.cookie, COOKIE))
    if (session !== undefined) { request.dashboardCsrf = session.csrf; return }
    if (request.routeOptions.config.dashboard !== 'page') throw ADMIN_UNAUTHORIZED('The dashboard needs a login (session cookie) or Authorization: Bearer <admin token>')
    const next = request.method === 'GET' ? request.url : undefined
    return await reply.code(401).type('text/html; charset=utf-8').send(loginPage({ next }).text)
  })

  app.addHook('preHandler', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD') return
    const csrf = request.dashboardCsrf
    if (csrf === null) return // the admin token itself came with the request
    const sent = request.headers['x-csrf-token'] ?? field(request.body, '_csrf')
    if (!csrfMatches({ csrf }, sent)) throw DASHBOARD_CSRF_INVALID()
  })
}, { name: 'dashboard-guard', dependencies: ['engine'] })
