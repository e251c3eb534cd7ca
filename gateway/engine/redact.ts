// Query strings reach logs and the request journal; a secret sent in one (an admin token pasted
// as ?admin_token=…, an API key) must not. Values of parameters whose names suggest a secret are
// replaced, the rest of the query is kept as sent so the log still says what was asked.

const SENSITIVE_NAME = /token|secret|passw|pwd|signature|key|auth|session|credential|cvc|card/i
export const REDACTED = '[redacted]'

/** `a=1&admin_token=xyz` → `a=1&admin_token=[redacted]`. */
export function redactQuery (query: string): string {
  if (query === '') return query
  return query.split('&').map((part) => {
    const eq = part.indexOf('=')
    if (eq < 0) return part
    return SENSITIVE_NAME.test(decodeName(part.slice(0, eq))) ? `${part.slice(0, eq)}=${REDACTED}` : part
  }).join('&')
}

/** A request URL (path and query) with its query redacted. */
export function redactUrl (url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? url : `${url.slice(0, q + 1)}${redactQuery(url.slice(q + 1))}`
}

/** `admin%5Ftoken` and `admin+token` name what they decode to; a malformed escape is taken as written. */
function decodeName (name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '))
  } catch {
    return name
  }
}
