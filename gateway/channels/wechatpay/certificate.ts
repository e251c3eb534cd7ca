// The X.509 certificate paylab issues for a merchant's WeChat Pay platform key (certificate
// mode): self-signed, valid from a day ago for five years, with a 40-hex serial as WeChat's. Made
// with node-forge (node:crypto reads certificates but does not issue them); signed by node:crypto,
// as forge's own cert.sign would sign it (SHA-256 with RSA over the DER of the TBSCertificate) but
// natively: forge's RSA in JavaScript took ~200 ms of CPU per certificate.
import { createSign } from 'node:crypto'
import forge from 'node-forge'

// forge's, not in its type declarations.
const { getTBSCertificate } = forge.pki as unknown as { getTBSCertificate: (cert: forge.pki.Certificate) => forge.asn1.Asn1 }

export interface IssuedCertificate { pem: string, serial: string, notBefore: string, notAfter: string }

/**
 * A serial as the bytes of a DER INTEGER, which must be minimal: a leading zero byte only when the
 * next byte's top bit is set (it keeps the number positive). forge drops one redundant zero byte
 * but not two: a random serial starting 00 00–7F (1 in 512) made a certificate OpenSSL 3 refuses
 * ("illegal padding") when a zero byte was always put in front.
 */
export function derPositiveHex (hex: string): string {
  let h = hex.length % 2 === 1 ? `0${hex}` : hex
  while (h.length > 2 && h.startsWith('00') && parseInt(h.charAt(2), 16) < 8) h = h.slice(2)
  return parseInt(h.charAt(0), 16) >= 8 ? `00${h}` : h
}

export function issueCertificate (privateKeyPem: string, publicKeyPem: string, serial: string, mchid: string, nowMs: number): IssuedCertificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem)
  cert.serialNumber = derPositiveHex(serial)
  cert.validity.notBefore = new Date(nowMs - 86_400_000)
  cert.validity.notAfter = new Date(nowMs + 5 * 365 * 86_400_000)
  const subject = [
    { name: 'commonName', value: 'Tenpay.com (paylab sandbox)' },
    { name: 'organizationalUnitName', value: `paylab WeChat Pay platform for ${mchid}` },
    { name: 'organizationName', value: 'paylab' },
    { name: 'countryName', value: 'CN' }
  ]
  cert.setSubject(subject)
  cert.setIssuer(subject)
  cert.setExtensions([{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, keyEncipherment: true }])
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption as string
  cert.tbsCertificate = getTBSCertificate(cert)
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary')
  cert.signature = createSign('sha256').update(tbs).sign(privateKeyPem).toString('binary')
  return { pem: forge.pki.certificateToPem(cert), serial, notBefore: cert.validity.notBefore.toISOString(), notAfter: cert.validity.notAfter.toISOString() }
}
