// Shares one payment engine with every route. With a shared store (several gateways on one
// database), every request first catches up with what the others committed: a write one of them
// answered is then seen here, whichever gateway the next request reaches.
import fp from 'fastify-plugin'
import type { Engine } from '../engine/engine.js'

declare module 'fastify' {
  interface FastifyInstance {
    engine: Engine
  }
}

export default fp<{ engine: Engine }>(async (app, { engine }) => {
  app.decorate('engine', engine)
  // A store of this gateway's alone has nothing to catch up with: no hook for every request then.
  if (!engine.sharedStore) return
  app.addHook('onRequest', (_request, _reply, done) => {
    const caught = engine.catchUp()
    if (caught === undefined) done()
    else caught.then(() => { done() }, done)
  })
}, { name: 'engine' })
