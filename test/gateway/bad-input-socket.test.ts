// Bad input through a real listening socket: what inject cannot show (a Content-Length that lies,
// a client that stops half-way) and that a refusal over HTTP has the same shape. After each, the
// gateway must still answer the next request.
import t, { type Test } from 'tap'
import { connect } from 'node:net'
import { PAYLAB_ONLY, build, type TestGateway } from '../helpers/build.js'
import { answerVerifies, signRequest } from '../helpers/signer.js'
import { assertRefusal, storedState } from '../helpers/rejections.js'

async function listening (t: Test): Promise<{ gw: TestGateway, base: string, port: number }> {
  const gw = await build(t, PAYLAB_ONLY)
  await gw.app.listen({ port: 0, host: '127.0.0.1' })
  const port = (gw.app.server.address() as { port: number }).port
  return { gw, base: `http://127.0.0.1:${port}`, port }
}

/** A signed create-payment request, as fetch options and as raw header lines. */
function signedCreate (gw: TestGateway, body: string, contentType = 'application/json') {
  const { headers } = signRequest(gw.demo, { method: 'POST', path: '/v1/payments', body })
  const all = { ...headers, 'content-type': contentType }
  return { init: { method: 'POST', headers: all, body }, lines: Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n') }
}

/** Writes raw bytes, then ends or destroys the socket; resolves with all bytes the server sent. */
function rawExchange (port: number, text: string, finish: 'end' | 'destroy' | 'wait'): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => { received += chunk })
    socket.on('error', () => {})
    socket.on('close', () => resolve(received))
    socket.write(text, () => {
      if (finish === 'end') socket.end()
      else if (finish === 'destroy') setTimeout(() => socket.destroy(), 50)
    })
  })
}

/** Splits raw HTTP responses into status and JSON body. */
function responses (raw: string): Array<{ status: number, body: string }> {
  return [...raw.matchAll(/HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n(\{[^\r\n]*\})/g)]
    .map((m) => ({ status: Number(m[1]), body: m[3] as string }))
}

async function stillServing (t: Test, gw: TestGateway, base: string): Promise<void> {
  const health = await fetch(`${base}/healthz`)
  t.equal(health.status, 200, 'the gateway still answers')
  const ok = signedCreate(gw, JSON.stringify(gw.cardPayment('4242424242424242')))
  const created = await fetch(`${base}/v1/payments`, ok.init)
  t.equal(created.status, 201, 'and still takes payments')
}

t.test('refusals over HTTP have the documented shape and are signed', async (t) => {
  const { gw, base } = await listening(t)
  const before = storedState(gw)
  const cases: Array<[string, string, string, { status: number, code: string, field: string }]> = [
    ['malformed JSON', '{"amount": 19', 'application/json', { status: 400, code: 'PAYLAB_MALFORMED_JSON', field: 'body' }],
    ['text/plain', JSON.stringify(gw.cardPayment('4242424242424242')), 'text/plain', { status: 415, code: 'PAYLAB_UNSUPPORTED_MEDIA_TYPE', field: 'Content-Type' }],
    ['amount as a string', JSON.stringify(gw.cardPayment('4242424242424242', { amount: '100' })), 'application/json', { status: 400, code: 'PAYLAB_VALIDATION_FAILED', field: 'amount' }],
    ['a Luhn failure', JSON.stringify(gw.cardPayment('4242424242424241')), 'application/json', { status: 400, code: 'PAYLAB_CARD_NUMBER_INVALID', field: 'card.number' }]
  ]
  for (const [name, body, type, expected] of cases) {
    await t.test(name, async (t) => {
      const res = await fetch(`${base}/v1/payments`, signedCreate(gw, body, type).init)
      const text = await res.text()
      assertRefusal(t, res.status, text, expected)
      t.ok(answerVerifies(Object.fromEntries(res.headers), text, { secret: gw.demo.secret }), 'the refusal is signed')
    })
  }
  await t.test('a body over 1 MB', async (t) => {
    const body = JSON.stringify(gw.cardPayment('4242424242424242', { description: 'x'.repeat(1024 * 1024) }))
    const res = await fetch(`${base}/v1/payments`, signedCreate(gw, body).init)
    assertRefusal(t, res.status, await res.text(), { status: 413, code: 'PAYLAB_BODY_TOO_LARGE', field: 'body' })
  })
  await t.test('an unknown route', async (t) => {
    const res = await fetch(`${base}/v2/payments`)
    assertRefusal(t, res.status, await res.text(), { status: 404, code: 'PAYLAB_ROUTE_NOT_FOUND' })
  })
  t.equal(storedState(gw), before, 'nothing was stored')
  await stillServing(t, gw, base)
})

t.test('a Content-Length shorter than the body', async (t) => {
  const { gw, base, port } = await listening(t)
  const before = storedState(gw)
  const body = JSON.stringify(gw.cardPayment('4242424242424242'))
  // The server reads 10 bytes as the body and the rest as a next request, which is not HTTP.
  const raw = await rawExchange(port, `POST /v1/payments HTTP/1.1\r\nhost: paylab\r\n${signedCreate(gw, body).lines}\r\ncontent-length: 10\r\n\r\n${body}`, 'wait')
  const answers = responses(raw)
  t.ok(answers.length >= 1, `answered: ${raw}`)
  for (const answer of answers) t.ok(answer.status >= 400 && answer.status < 500, `a 4xx: ${answer.body}`)
  const last = answers.at(-1) as { status: number, body: string }
  assertRefusal(t, last.status, last.body, { status: 400, code: 'PAYLAB_BAD_REQUEST' })
  t.equal(storedState(gw), before, 'nothing was stored')
  await stillServing(t, gw, base)
})

t.test('a Content-Length longer than the body, then the client half-closes', async (t) => {
  const { gw, base, port } = await listening(t)
  const before = storedState(gw)
  const body = JSON.stringify(gw.cardPayment('4242424242424242'))
  const raw = await rawExchange(port, `POST /v1/payments HTTP/1.1\r\nhost: paylab\r\n${signedCreate(gw, body).lines}\r\ncontent-length: ${body.length + 100}\r\n\r\n${body}`, 'end')
  const answers = responses(raw)
  t.equal(answers.length, 1, `one answer: ${raw}`)
  assertRefusal(t, answers[0]?.status ?? 0, answers[0]?.body ?? '{}', { status: 400, code: 'PAYLAB_BAD_REQUEST' })
  t.equal(storedState(gw), before, 'nothing was stored')
  await stillServing(t, gw, base)
})

t.test('a client that sends half a body and then closes the connection', async (t) => {
  const { gw, base, port } = await listening(t)
  const before = storedState(gw)
  const body = JSON.stringify(gw.cardPayment('4242424242424242'))
  const raw = await rawExchange(port, `POST /v1/payments HTTP/1.1\r\nhost: paylab\r\n${signedCreate(gw, body).lines}\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, body.length >> 1)}`, 'destroy')
  t.equal(raw, '', 'nobody is left to answer')
  t.equal(storedState(gw), before, 'nothing was stored')
  await stillServing(t, gw, base)
})

t.test('a Content-Length that is not a number, and a request line that is not HTTP', async (t) => {
  const { gw, base, port } = await listening(t)
  for (const text of ['POST /v1/payments HTTP/1.1\r\nhost: paylab\r\ncontent-length: ten\r\n\r\n{}', 'PAY ME NOW\r\n\r\n']) {
    const answers = responses(await rawExchange(port, text, 'wait'))
    t.equal(answers.length, 1)
    assertRefusal(t, answers[0]?.status ?? 0, answers[0]?.body ?? '{}', { status: 400, code: 'PAYLAB_BAD_REQUEST' })
  }
  await stillServing(t, gw, base)
})
