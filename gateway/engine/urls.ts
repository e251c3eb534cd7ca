import { NOTIFY_URL_NOT_ALLOWED } from './errors.js'

export const MAX_URL_LENGTH = 2048

/** notify_url and return_url: absolute http(s) URLs of bounded length. */
export function checkNotifyUrl (value: string, field: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw NOTIFY_URL_NOT_ALLOWED(`${field} is not an absolute URL`, { field })
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || value.length > MAX_URL_LENGTH) {
    throw NOTIFY_URL_NOT_ALLOWED(`${field} must be an http or https URL of at most ${MAX_URL_LENGTH} characters`, { field })
  }
  return value
}
