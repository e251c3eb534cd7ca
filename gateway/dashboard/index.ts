// The sandbox dashboard at /dashboard: server-rendered pages over the engine's methods, with a
// small script for live lists and in-place actions. Two scopes: the public one (the login form
// and the static assets) and the guarded one, where every page and data endpoint needs a login
// session or the admin token (guard.ts). The guarded routes are listed in `dashboardRoutes`, so
// that a test can knock on every one of them.
import type { FastifyInstance, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { errorObject } from '../engine/answers.js'
import { toPaylabError } from '../plugins/errors.js'
import { Sessions } from './session.js'
import guard from './guard.js'
import { formParser } from './form.js'
import { errorPage } from './view.js'
import loginRoutes from './login.js'
import paymentRoutes from './payments.js'
import journalRoutes from './journal.js'
import ruleRoutes from './rules.js'
import clockRoutes from './clock.js'
import merchantRoutes from './merchants.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the dashboard that needs a login (method and URL). */
    dashboardRoutes: ReadonlyArray<Pick<RouteOptions, 'method' | 'url'>>
  }
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store'
}

type RouteList = Array<Pick<RouteOptions, 'method' | 'url'>>

async function dashboard (app: FastifyInstance, opts: { routes: RouteList }): Promise<void> {
  const sessions = new Sessions()
  formParser(app)
  app.addHook('onSend', async (_request, reply) => { reply.headers(SECURITY_HEADERS) })
  app.setErrorHandler((err, request, reply) => {
    const perr = toPaylabError(err as Error, request.headers['content-type'])
    if (perr.statusCode >= 500) request.log.error({ err }, 'dashboard failure')
    if (request.routeOptions.config.dashboard === 'page') return reply.code(perr.statusCode).type('text/html; charset=utf-8').send(errorPage(perr).text)
    return reply.code(perr.statusCode).type('application/json').send(JSON.stringify(errorObject(perr, request.id)))
  })

  await app.register(loginRoutes, { sessions })
  await app.register(async (guarded) => {
    await guarded.register(guard, { sessions })
    guarded.addHook('onRoute', (route) => { opts.routes.push({ method: route.method, url: route.url }) })
    await guarded.register(paymentRoutes)
    await guarded.register(journalRoutes)
    await guarded.register(ruleRoutes)
    await guarded.register(clockRoutes)
    await guarded.register(merchantRoutes)
  })
}

export default fp(async (app: FastifyInstance) => {
  const routes: RouteList = []
  app.decorate('dashboardRoutes', routes)
  await app.register(dashboard, { routes })
}, { name: 'dashboard', dependencies: ['engine', 'errors'] })
