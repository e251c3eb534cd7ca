// A fetch for PaylabClient's `fetch` option that records what the client sent (method, path,
// headers, body bytes, when) and can rewrite what comes back, to break answers on purpose.

export interface Sent {
  method: string
  path: string
  headers: Record<string, string>
  body: string
  at: number
}

export interface RecordingFetch {
  fetch: typeof fetch
  sent: Sent[]
  /** The sent requests to paths starting with `prefix`, as `METHOD path`. */
  lines: (prefix?: string) => string[]
}

export type Rewrite = (answer: { status: number, headers: Headers, body: Buffer }, sent: Sent) => { status: number, headers: Headers, body: Buffer }

export function recordingFetch (rewrite?: Rewrite): RecordingFetch {
  const sent: Sent[] = []
  const fetchFn = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input))
    const body = init.body === undefined || init.body === null ? '' : Buffer.from(init.body as Uint8Array).toString('utf8')
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]))
    const record: Sent = { method: init.method ?? 'GET', path: `${url.pathname}${url.search}`, headers, body, at: performance.now() }
    sent.push(record)
    const res = await fetch(input, init)
    if (rewrite === undefined) return res
    const answer = rewrite({ status: res.status, headers: new Headers(res.headers), body: Buffer.from(await res.arrayBuffer()) }, record)
    return new Response(new Uint8Array(answer.body), { status: answer.status, headers: answer.headers })
  }
  return {
    fetch: fetchFn,
    sent,
    lines: (prefix = '/') => sent.filter((s) => s.path.startsWith(prefix)).map((s) => `${s.method} ${s.path}`)
  }
}
