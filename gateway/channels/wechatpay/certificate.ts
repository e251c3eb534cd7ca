// The X.509 certificate paylab issues for a merchant's WeChat Pay platform key (certificate
// mode): self-signed, valid from a day ago for five years, with a 40-hex serial as WeChat's. Made
// with node-forge (node:crypto reads certificates but does not issue them).
import forge from 'node-forge'

export interface IssuedCertificate { pem: string, serial: string, notBefore: string, notAfter: string }

export function issueCertificate (privateKeyPem: string, publicKeyPem: string, serial: string, mchid: string, nowMs: number): IssuedCertificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem)
  // A leading 0 keeps the DER integer positive whatever the first hex digit.
  cert.serialNumber = `00${serial}`
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
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create())
  return { pem: forge.pki.certificateToPem(cert), serial, notBefore: cert.validity.notBefore.toISOString(), notAfter: cert.validity.notAfter.toISOString() }
}
