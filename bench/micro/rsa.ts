// CPU µs of one 2048-bit RSA private-key operation on this machine: RSA-SHA256 sign (PKCS#1 v1.5)
// and RSA-OAEP-256 decrypt of a 32-byte key, the yardsticks of the card and RSA-answer targets.
import { constants, createPrivateKey, generateKeyPairSync, privateDecrypt, publicEncrypt, sign } from 'node:crypto'

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const key = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }))
const data = Buffer.alloc(600, 'x')
const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.alloc(32, 1))
const N = Number(process.argv[2] ?? 2000)
for (const [name, f] of [
  ['sign', () => sign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING })],
  ['oaep decrypt', () => privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped)]
] as const) {
  for (let i = 0; i < 100; i++) f()
  const t0 = process.cpuUsage()
  const w0 = performance.now()
  for (let i = 0; i < N; i++) f()
  const u = process.cpuUsage(t0)
  process.stdout.write(`${name}: ${((u.user + u.system) / N).toFixed(0)} µs CPU, ${(N / ((performance.now() - w0) / 1000)).toFixed(0)} /s wall\n`)
}
