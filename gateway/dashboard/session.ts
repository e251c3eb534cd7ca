// Dashboard sessions: a random id in an HttpOnly, SameSite=Strict cookie, kept server-side in
// memory (a restart logs everyone out), each with its own CSRF token for forms and fetches.
// Ids are looked up by their SHA-256, so the lookup's timing says nothing about a valid id.
import { createHash, randomBytes } from 'node:crypto'
import { safeEqual } from '../engine/crypto.js'

export const COOKIE = 'paylab_dashboard'
/** Sessions end after this long without a request (wall time: they are about people, not the sandbox). */
const IDLE_MS = 8 * 3600_000
/** …and after this long whatever they do: a stolen cookie is not good forever. */
const MAX_AGE_MS = 24 * 3600_000
/** Only a correct admin token opens one; past this many the oldest goes. */
const MAX_SESSIONS = 1000

export interface Session { csrf: string, seen: number, opened: number }

const digest = (id: string): string => createHash('sha256').update(id).digest('base64url')

export class Sessions {
  readonly #byDigest = new Map<string, Session>()
  readonly #now: () => number

  constructor (now: () => number = Date.now) { this.#now = now }

  /** A new session; returns its id (for the cookie) and the session. */
  open (): { id: string, session: Session } {
    if (this.#byDigest.size >= MAX_SESSIONS) this.#byDigest.delete(this.#byDigest.keys().next().value as string)
    const id = randomBytes(32).toString('base64url')
    const session = { csrf: randomBytes(24).toString('base64url'), seen: this.#now(), opened: this.#now() }
    this.#byDigest.set(digest(id), session)
    return { id, session }
  }

  find (id: string | undefined): Session | undefined {
    if (id === undefined || id === '') return undefined
    const key = digest(id)
    const session = this.#byDigest.get(key)
    if (session === undefined) return undefined
    const now = this.#now()
    if (now - session.seen > IDLE_MS || now - session.opened > MAX_AGE_MS) { this.#byDigest.delete(key); return undefined }
    session.seen = now
    return session
  }

  close (id: string | undefined): void { if (id !== undefined) this.#byDigest.delete(digest(id)) }
}

/** Whether a CSRF token sent with a form or fetch is the session's (constant time). */
export const csrfMatches = (session: Pick<Session, 'csrf'>, sent: unknown): boolean =>
  typeof sent === 'string' && safeEqual(Buffer.from(sent), Buffer.from(session.csrf))

/** The value of one cookie of a Cookie header. */
export function cookieValue (header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

export function sessionCookie (id: string, secure: boolean): string {
  return `${COOKIE}=${id}; Path=/dashboard; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

export const CLEARED_COOKIE = `${COOKIE}=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0`
