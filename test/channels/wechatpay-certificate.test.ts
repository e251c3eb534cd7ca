// The platform certificate paylab issues (certificate mode) is DER that strict parsers read,
// whatever its random serial: node:crypto (OpenSSL 3) refuses an INTEGER with a redundant leading
// zero byte, which a serial starting 00 00–7F (1 in 512) used to keep.
import { X509Certificate } from 'node:crypto'
import t from 'tap'
import { derPositiveHex, issueCertificate } from '../../gateway/channels/wechatpay/certificate.js'
import { spareKeyPair } from '../helpers/fixture-keys.js'

t.test('the serial is a minimal positive DER integer', async (t) => {
  t.equal(derPositiveHex('7F00'), '7F00', 'top bit clear: as it is')
  t.equal(derPositiveHex('8000'), '008000', 'top bit set: a zero byte keeps it positive')
  t.equal(derPositiveHex('00007F'), '7F', 'redundant zero bytes go')
  t.equal(derPositiveHex('0080'), '0080', 'a zero byte that is needed stays')
  t.equal(derPositiveHex('ABC'), '0ABC', 'an odd length is a whole number of bytes')
  t.equal(derPositiveHex('00'), '00', 'zero')
})

t.test('a certificate with each kind of serial parses and names its serial', async (t) => {
  const { publicKey, privateKey } = spareKeyPair(0)
  const now = Date.UTC(2026, 11, 1)
  for (const serial of ['0123456789ABCDEF0123456789ABCDEF01234567', '7F' + 'A'.repeat(38), '80' + '1'.repeat(38), 'FF' + '0'.repeat(38), '00' + '5'.repeat(38)]) {
    const issued = issueCertificate(privateKey, publicKey, serial, '1900000001', now)
    const cert = new X509Certificate(issued.pem)
    t.equal(cert.serialNumber.replace(/^0+/, ''), serial.replace(/^0+/, ''), `serial ${serial.slice(0, 4)}…`)
    t.ok(cert.verify(cert.publicKey), 'self-signed by the platform key')
  }
})
