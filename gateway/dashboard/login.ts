// The dashboard's public scope: the login form, logging in (the admin token, compared in
// constant time, becomes a session cookie) and the static assets the login page needs too.
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { adminTokenMatches } from '../plugins/admin-auth.js'
import { field } from './form.js'
import { loginPage, safeNext } from './login-page.js'
import { DASHBOARD_CSRF_INVALID } from '../engine/errors.js'
import { CLEARED_COOKIE, cookieValue, COOKIE, csrfMatches, sessionCookie, type Sessions } from './session.js'
import { sendHtml, PAGE } from './view.js'

const asset = (name: string): string => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')
const ASSETS = new Map([
  ['dashboard.css', { type: 'text/css; charset=utf-8', body: asset('dashboard.css') }],
  ['dashboard.js', { type: 'text/javascript; charset=utf-8', body: asset('dashboard.js') }]
])

export default async function loginRoutes (app: FastifyInstance, { sessions }: { sessions: Sessions }): Promise<void> {
  app.get<{ Querystring: { next?: string } }>('/dashboard/login', PAGE, async (request, reply) =>
    sendHtml(reply, loginPage({ next: field(request.query, 'next') })))

  app.post('/dashboard/login', PAGE, async (request, reply) => {
    const token = field(request.body, 'token') ?? ''
    const next = field(request.body, 'next')
    if (!adminTokenMatches(app.engine, token)) return sendHtml(reply, loginPage({ next, error: 'That is not the admin token.' }), 401)
    // A new id at every login: a session id planted before it is worth nothing after.
    sessions.close(cookieValue(request.headers.cookie, COOKIE))
    const { id } = sessions.open()
    return reply.code(303).header('set-cookie', sessionCookie(id, request.protocol === 'https')).header('location', safeNext(next)).send()
  })

  app.post('/dashboard/logout', PAGE, async (request, reply) => {
    // A live session ends only with its CSRF token, as every other change; without a session
    // there is nothing to end (the cookie is cleared all the same).
    const id = cookieValue(request.headers.cookie, COOKIE)
    const session = sessions.find(id)
    if (session !== undefined && !csrfMatches(session, request.headers['x-csrf-token'] ?? field(request.body, '_csrf'))) throw DASHBOARD_CSRF_INVALID()
    sessions.close(id)
    return reply.code(303).header('set-cookie', CLEARED_COOKIE).header('location', '/dashboard/login').send()
  })

  app.get<{ Params: { name: string } }>('/dashboard/assets/:name', { config: { contract: false } }, async (request, reply) => {
    const found = ASSETS.get(request.params.name)
    if (found === undefined) return reply.callNotFound()
    return reply.type(found.type).header('cache-control', 'no-cache').send(found.body)
  })
}
