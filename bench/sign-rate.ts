// The yardstick of RSA-signed answers: how many RSA-2048 SHA-256 signatures (PKCS#1 v1.5, the
// answers' kind) node:crypto makes per second on one core, over a payment-sized message, with a
// key parsed once. Run in this process between measurements, so it sees the machine's load of
// that moment as the measurements next to it do.
import { constants, createPrivateKey, sign } from 'node:crypto'
import { SANDBOX_TEST_ONLY_KEY } from '../gateway/engine/sandbox-key.js'

export function rawSignRate (seconds: number): { perSec: number, perCpuSec: number } {
  const key = createPrivateKey(SANDBOX_TEST_ONLY_KEY.privateKeyPem)
  const message = Buffer.from(`1764518400\nnonce0123456789ab\n${'{"id":"pay_0123456789abcdef","object":"payment"}'.repeat(8)}\n`)
  const started = performance.now()
  const cpu = process.cpuUsage()
  let count = 0
  while (performance.now() - started < seconds * 1000) {
    for (let i = 0; i < 8; i++) sign('sha256', message, { key, padding: constants.RSA_PKCS1_PADDING })
    count += 8
  }
  const wall = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  return { perSec: count / wall, perCpuSec: count / ((used.user + used.system) / 1e6) }
}
