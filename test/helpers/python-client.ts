// Runs the source document's Python client (test/fixtures/source-document-client.py) against a
// gateway URL. The client imports `requests`; where python3 lacks it, a stand-in built on urllib
// goes first on PYTHONPATH so that the client itself still runs unchanged.
import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const CLIENT_PATH = fileURLToPath(new URL('../fixtures/source-document-client.py', import.meta.url))

/** Just what the client uses of `requests`: post(url, data=, headers=) and Response.json(). */
export const REQUESTS_STAND_IN = `# Stand-in for the requests package (test helper): post() and Response.json() over urllib.
import json as _json
import urllib.error
import urllib.request


class Response:
    def __init__(self, status_code, content, headers):
        self.status_code = status_code
        self.content = content
        self.headers = headers
        self.text = content.decode('utf-8')

    def json(self):
        return _json.loads(self.text)


def post(url, data=None, headers=None, **_ignored):
    body = data.encode('utf-8') if isinstance(data, str) else data
    request = urllib.request.Request(url, data=body, headers=headers or {}, method='POST')
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return Response(answer.status, answer.read(), answer.headers)
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), error.headers)
`

let hasRequests: boolean | undefined

/** Whether python3 can import requests; asked once per process (a python start each time). */
export function pythonHasRequests (): boolean {
  if (hasRequests !== undefined) return hasRequests
  try {
    execFileSync('python3', ['-c', 'import requests'], { stdio: 'ignore' })
    hasRequests = true
  } catch {
    hasRequests = false
  }
  return hasRequests
}

export interface ClientRun { stdout: string, stderr: string, code: number }

/**
 * Runs the client with PAYMENT_API_URL = `url`. `standIn` forces the urllib stand-in even where
 * requests is installed (so the fallback itself is exercised); otherwise it is used only if needed.
 */
export async function runSourceDocumentClient (url: string, standIn = !pythonHasRequests()): Promise<ClientRun> {
  const dir = standIn ? await mkdtemp(join(tmpdir(), 'paylab-requests-')) : undefined
  try {
    if (dir !== undefined) await writeFile(join(dir, 'requests.py'), REQUESTS_STAND_IN)
    const env: NodeJS.ProcessEnv = { ...process.env, PAYMENT_API_URL: url, PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1' }
    if (dir !== undefined) env.PYTHONPATH = [dir, process.env.PYTHONPATH].filter(Boolean).join(':')
    return await new Promise((resolve) => {
      execFile('python3', [CLIENT_PATH], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolve({ stdout, stderr, code })
      })
    })
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  }
}
