// JSON as text. A JSON number parsed by JSON.parse is already a double (100.0099999999999999
// reads as 100.01), so a decimal amount is taken from its text as sent; and an answer that must
// carry a number in a given form (100.00) is serialized member by member, never patched as text.

/** A JSON number written exactly as given, e.g. `100.00`; JSON.stringify would write `100`. */
export class JsonNumberText {
  readonly text: string
  constructor (text: string) {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw new TypeError(`not a JSON number: ${text}`)
    this.text = text
  }
}

/** Serializes a flat object whose values are JSON values or JsonNumberText, byte for byte as JSON.stringify would but for those numbers. */
export function stringifyWithNumbers (value: Record<string, unknown>): string {
  const members: string[] = []
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue
    members.push(`${JSON.stringify(key)}:${v instanceof JsonNumberText ? v.text : JSON.stringify(v)}`)
  }
  return `{${members.join(',')}}`
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

/**
 * The source text of the value of member `name` of the top-level object of `json`: the last
 * one when the name repeats, as JSON.parse keeps the last. `json` must be valid JSON (parse it
 * first); undefined when the top level is not an object or has no such member.
 */
export function memberText (json: string, name: string): string | undefined {
  let i = skipSpace(json, 0)
  if (json[i] !== '{') return undefined
  let found: string | undefined
  i = skipSpace(json, i + 1)
  while (i < json.length && json[i] !== '}') {
    const keyEnd = stringEnd(json, i)
    const key = JSON.parse(json.slice(i, keyEnd)) as string // decodes escapes: "\u0061mount" is amount
    i = skipSpace(json, keyEnd)
    i = skipSpace(json, i + 1) // the colon
    const valueEnd = valueEndAt(json, i)
    if (key === name) found = json.slice(i, valueEnd)
    i = skipSpace(json, valueEnd)
    if (json[i] === ',') i = skipSpace(json, i + 1)
  }
  return found
}

function skipSpace (s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++
  return i
}

/** `s[i]` is the opening quote of a string; returns the index after its closing quote. */
function stringEnd (s: string, i: number): number {
  for (i++; i < s.length; i++) {
    const c = s[i]
    if (c === '\\') i++
    else if (c === '"') return i + 1
  }
  return i
}

function valueEndAt (s: string, i: number): number {
  const c = s[i]
  if (c === '"') return stringEnd(s, i)
  if (c === '{' || c === '[') {
    let depth = 0
    while (i < s.length) {
      const d = s[i]
      if (d === '"') { i = stringEnd(s, i); continue }
      if (d === '{' || d === '[') depth++
      else if (d === '}' || d === ']') depth--
      i++
      if (depth === 0) return i
    }
    return i
  }
  while (i < s.length && !isSpace(s.charCodeAt(i)) && s[i] !== ',' && s[i] !== '}' && s[i] !== ']') i++
  return i
}
