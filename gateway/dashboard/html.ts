// The dashboard's one way to write HTML: a tagged template that escapes every interpolation.
// Only an Html value (another template's result, or `safe()` on markup the code wrote itself)
// goes in as it is; arrays are joined, null and undefined are nothing. Whatever came from a
// request (metadata, descriptions, merchant names, paths) can only ever be text.

export class Html {
  constructor (readonly text: string) {}
  toString (): string { return this.text }
}

export type Value = Html | string | number | boolean | null | undefined | Value[]

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`)

function render (value: Value): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof Html) return value.text
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}

export function html (strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] as string
  values.forEach((v, i) => { out += render(v) + (strings[i + 1] as string) })
  return new Html(out)
}

/** Markup the code itself wrote (never request data). */
export const safe = (markup: string): Html => new Html(markup)

/** A string with its line ends shown as a visible `\n` (a string to sign, a body). */
export const visibleNewlines = (s: string): Html =>
  html`${s.split('\n').map((line, i, all) => i < all.length - 1 ? html`${line}<span class="nl" aria-label="newline">\\n</span>\n` : html`${line}`)}`
