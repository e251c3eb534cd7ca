// Swagger UI at /docs, built on the first visit. Loading and registering @fastify/swagger,
// @fastify/swagger-ui and @fastify/static took about a fifth of a gateway's start, and most
// gateways (a test's, a CI job's) never show the page; so /docs is a small Fastify app of its own,
// made when first asked for, and the gateway passes /docs requests to it.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'

// Headers that belong to the inner answer's own transport; the gateway's reply sets its own.
const HOP = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'date'])

async function buildUi (document: object): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')])
  const ui = Fastify({ logger: false })
  await ui.register(swagger, { mode: 'static', specification: { document: document as never } })
  await ui.register(swaggerUi, { routePrefix: '/docs' })
  await ui.ready()
  return ui
}

export default async function docs (app: FastifyInstance, { document }: { document: object }): Promise<void> {
  let ui: Promise<FastifyInstance> | undefined
  app.addHook('onClose', async () => { if (ui !== undefined) await (await ui).close() })
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    ui ??= buildUi(document)
    const answer = await (await ui).inject({ method: 'GET', url: request.url, headers: { ...request.headers, host: 'docs' } })
    // A path under /docs that Swagger UI does not serve gets the gateway's own 404.
    if (answer.statusCode === 404) { reply.callNotFound(); return reply }
    for (const [name, value] of Object.entries(answer.headers)) if (!HOP.has(name) && value !== undefined) void reply.header(name, value)
    return reply.code(answer.statusCode).send(answer.rawPayload.length > 0 ? answer.rawPayload : undefined)
  }
  app.get('/docs', { config: { contract: false } }, handler)
  app.get('/docs/*', { config: { contract: false } }, handler)
}
