// One msw request through the gateway app in-process (Fastify's inject: the same routes,
// validation, signing and engine as the listening server), and the answer back as msw's, with
// connection faults acted out through msw's own means.
import type { FastifyInstance } from 'fastify'
import { HttpResponse, delay } from 'msw'
import { dribble, TRANSPORT_FAULT_HEADER } from '../plugins/transport-faults.js'

export async function forward (app: FastifyInstance, request: Request): Promise<Response> {
  const url = new URL(request.url)
  const body = Buffer.from(await request.arrayBuffer())
  const res = await app.inject({
    method: request.method as 'GET',
    url: url.pathname + url.search,
    headers: Object.fromEntries(request.headers),
    ...(body.length > 0 ? { payload: body } : {})
  })
  const headers = new Headers()
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined || name === TRANSPORT_FAULT_HEADER || name === 'connection' || name === 'transfer-encoding') continue
    for (const v of [value].flat()) headers.append(name, String(v))
  }
  const marker = res.headers[TRANSPORT_FAULT_HEADER]
  if (marker === undefined) return new HttpResponse(res.rawPayload, { status: res.statusCode, headers })
  const [fault = '', param = '0'] = String(marker).split(';')
  const ms = Number(param)
  switch (fault) {
    case 'slow_body': {
      const chunks = dribble(new Uint8Array(res.rawPayload), ms)
      const stream = new ReadableStream<Uint8Array>({
        async pull (controller) {
          const next = await chunks.next()
          if (next.done === true) controller.close()
          else controller.enqueue(next.value)
        }
      })
      return new HttpResponse(stream, { status: res.statusCode, headers })
    }
    case 'timeout_not_processed': case 'response_lost':
      // Held like a silent server; the client's own timeout usually ends it first.
      await Promise.race([delay(ms), aborted(request.signal)])
      return HttpResponse.error()
    default: // connection_reset, empty_response: msw's network error (no TCP reset in-process)
      return HttpResponse.error()
  }
}

function aborted (signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })
}
