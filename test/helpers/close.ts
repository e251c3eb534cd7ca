// Ends a test's server at once. Node's server.close() waits for a connection that was busy when
// close was called until its keep-alive timeout (72 s in Fastify): a notification the gateway
// was still delivering to the shop as a test ended held that test's teardown for 70 s in a full
// run (where a loaded machine makes that overlap likely), and never when the file ran alone.
// The test is over: its connections are cut rather than waited on.
import type { FastifyInstance } from 'fastify'

export async function closeNow (app: FastifyInstance): Promise<void> {
  const closing = app.close()
  app.server.closeAllConnections()
  await closing
}
