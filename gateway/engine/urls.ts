import { NOTIFY_URL_NOT_ALLOWED } from './errors.js'
import { compileGlob } from './rules.js'

export const MAX_URL_LENGTH = 2048

/**
 * return_url (and the base check of notify_url): an absolute http(s) URL of bounded length,
 * without a user name or password (a return_url's would be echoed in the Location header the
 * buyer's browser follows; a notify_url's would fail every delivery, with the password in the log).
 */
export function checkUrl (value: string, field: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw NOTIFY_URL_NOT_ALLOWED(`${field} is not an absolute URL`, { field })
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || value.length > MAX_URL_LENGTH) {
    throw NOTIFY_URL_NOT_ALLOWED(`${field} must be an http or https URL of at most ${MAX_URL_LENGTH} characters`, { field })
  }
  if (url.username !== '' || url.password !== '') throw NOTIFY_URL_NOT_ALLOWED(`${field} must not carry a user name or password`, { field })
  return url
}

/**
 * notify_url: the gateway will POST to it, so its host must be one the operator allowed
 * (loopback by default: the sandbox is not a way to make requests to anywhere).
 */
export function checkNotifyUrl (value: string, field: string, allowedHosts: readonly string[]): string {
  const url = checkUrl(value, field)
  const host = url.hostname.toLowerCase()
  if (!allowedHosts.some((glob) => compileGlob(glob.toLowerCase()).test(host))) {
    throw NOTIFY_URL_NOT_ALLOWED(`${field} host ${host} is not allowed; start the gateway with --notify-hosts to allow it (allowed: ${allowedHosts.join(', ')})`, { field })
  }
  return value
}
