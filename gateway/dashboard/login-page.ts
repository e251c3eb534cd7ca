// The login form: the one dashboard page anyone may see. It asks for the admin token and posts it
// (never puts it in the URL); the answer is a session cookie (login.ts).
import { html, type Html } from './html.js'
import { shell } from './layout.js'

/**
 * Where to go after logging in: only a dashboard path of this site, in printable ASCII (it goes
 * into the Location header: a line break or other character there was a 500).
 */
export const safeNext = (next: string | undefined): string =>
  next !== undefined && /^\/dashboard(?:[/?][\x21-\x7e]*)?$/.test(next) && !next.includes('//') && !next.includes('\\') ? next : '/dashboard/payments'

export function loginPage ({ next, error }: { next?: string | undefined, error?: string }): Html {
  return shell('Log in', html`<main id="main" class="login">
<h1>paylab dashboard</h1>
<p>Enter the admin token the gateway printed when it started (<code>paylab start</code>), or the one in its data folder.</p>
${error === undefined ? '' : html`<p class="alert" role="alert" id="login-error">${error}</p>`}
<form method="post" action="/dashboard/login" class="card">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${safeNext(next)}">
<button type="submit">Log in</button>
</form></main>`)
}
