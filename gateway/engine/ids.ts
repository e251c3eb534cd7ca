import { randomBytes, randomFillSync } from 'node:crypto'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

// Every request makes two or three ids, and each randomBytes() call is a trip into OpenSSL that
// costs more than the id itself: ids draw from a pool of CSPRNG bytes refilled 4 KiB at a time
// (as crypto.randomUUID() does). Each byte is handed out once.
const pool = Buffer.alloc(4096)
let poolAt = pool.length

function random (n: number): Buffer {
  if (n > pool.length) return randomBytes(n)
  if (poolAt + n > pool.length) { randomFillSync(pool); poolAt = 0 }
  const bytes = pool.subarray(poolAt, poolAt + n)
  poolAt += n
  return bytes
}

/** A random id with a type prefix, like `pay_3kTq…`: 20 base62 characters, about 119 bits. */
export function newId (prefix: string, length = 20): string {
  const bytes = random(length * 2)
  let out = ''
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i] as number
    if (b < 248) out += ALPHABET[b % 62] // 248 = 4 × 62: keeps the choice uniform
  }
  while (out.length < length) out += ALPHABET[(random(1)[0] as number) % 62]
  return `${prefix}_${out}`
}

export function newSecret (): string {
  return `sk_test_${randomBytes(24).toString('base64url')}`
}
