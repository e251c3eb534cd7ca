// Alipay's signatures, as its SDKs compute them: RSA2 (SHA256withRSA, PKCS#1 v1.5, base64) over
// the parameters sorted by key as `k=v&…` (requests, notifications, the synchronous return), over
// the exact bytes of the inner answer object (OpenAPI v2 answers), or over line-feed-joined
// fields (OpenAPI v3). Pure: the crypto provider is given.
import { rsaSha256SignSoon, whenReady, type CryptoProvider, type Soon } from '../../engine/crypto.js'

export type Params = ReadonlyMap<string, string>

/**
 * The sorted `k=v&…` string. `omit` are left out (`sign`; notifications and returns also
 * `sign_type`); empty values are left out as Alipay's gateway and Java SDK do, unless
 * `keepEmpty` (the Node SDK signs them too).
 */
export function contentToSign (params: Params, omit: readonly string[], keepEmpty = false): string {
  return [...params.keys()]
    .filter((k) => !omit.includes(k) && (keepEmpty || params.get(k) !== ''))
    .sort()
    .map((k) => `${k}=${params.get(k) as string}`)
    .join('&')
}

export const rsa2Sign = (crypto: CryptoProvider, privateKeyPem: string, content: string): string =>
  crypto.rsaSha256Sign(privateKeyPem, content).toString('base64')

/** rsa2Sign on the gateway's RSA worker pool when the provider has one (rsaSha256SignSoon). */
export const rsa2SignSoon = (crypto: CryptoProvider, privateKeyPem: string, content: string): Soon<string> =>
  whenReady(rsaSha256SignSoon(crypto, privateKeyPem, content), (signature) => signature.toString('base64'))

export function rsa2Verify (crypto: CryptoProvider, publicKeyPem: string, content: string, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false
  return crypto.rsaSha256Verify(publicKeyPem, content, Buffer.from(signature, 'base64'))
}

/** A signature that does not verify (the `bad_signature` fault): one base64 character changed. */
export function spoil (signature: string): string {
  const i = Math.floor(signature.length / 2)
  return `${signature.slice(0, i)}${signature[i] === 'A' ? 'B' : 'A'}${signature.slice(i + 1)}`
}

/**
 * An OpenAPI v2 answer: `{"<method>_response":{…},"sign":"…"}`, the response object first and
 * the sign last, signed over the exact bytes of the inner object (what the SDKs cut out and verify).
 */
export function v2Answer (key: string, inner: string, sign: string | undefined): string {
  return sign === undefined ? `{${JSON.stringify(key)}:${inner}}` : `{${JSON.stringify(key)}:${inner},"sign":${JSON.stringify(sign)}}`
}

/** OpenAPI v3: the request's string to sign (auth string, method, path with query, body). */
export const v3RequestContent = (auth: string, method: string, pathWithQuery: string, body: string, appAuthToken?: string): string =>
  `${auth}\n${method}\n${pathWithQuery}\n${body}\n${appAuthToken === undefined ? '' : `${appAuthToken}\n`}`

/** OpenAPI v3: the answer's string to sign. */
export const v3AnswerContent = (timestamp: string, nonce: string, body: string): string => `${timestamp}\n${nonce}\n${body}\n`

/** A PEM public key from PEM or the bare base64 the Alipay console shows. */
export function publicKeyPem (text: string): string {
  const body = text.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '')
  const lines = body.match(/.{1,64}/g) ?? []
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`
}

/** The key body without PEM armour, as Alipay's console and SDK configs take keys. */
export const bareKey = (pem: string): string => pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '')
