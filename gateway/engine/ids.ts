import { randomBytes } from 'node:crypto'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/** A random id with a type prefix, like `pay_3kTq…`: 20 base62 characters, about 119 bits. */
export function newId (prefix: string, length = 20): string {
  const bytes = randomBytes(length * 2)
  let out = ''
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i] as number
    if (b < 248) out += ALPHABET[b % 62] // 248 = 4 × 62: keeps the choice uniform
  }
  while (out.length < length) out += ALPHABET[(randomBytes(1)[0] as number) % 62]
  return `${prefix}_${out}`
}

export function newSecret (): string {
  return `sk_test_${randomBytes(24).toString('base64url')}`
}
