// A merchant's WeChat Pay credentials (`channels.wechatpay` on POST/PATCH /admin/merchants): what
// the merchant's SDK is configured with, and the platform key pair paylab signs answers and
// notifications with. Anything left out is generated; the answer that generated a secret shows it.
import { createPublicKey, X509Certificate } from 'node:crypto'
import type { ChannelCredentials, ChannelEnv, CredentialsInput } from '../../engine/channels.js'
import { VALIDATION_FAILED } from '../../engine/errors.js'
import { issueCertificate } from './certificate.js'

export type WechatpayMode = 'public_key' | 'certificate'

export interface WechatpayCredentials {
  /** Which serial answers carry in Wechatpay-Serial: the public key id, or the platform certificate's serial. */
  mode: WechatpayMode
  mchid: string
  appid: string
  merchant_serial_no: string
  merchant_public_key: string
  /** Kept only when paylab generated it (the quick start prints it); never shown by GET. */
  merchant_private_key?: string
  apiv3_key: string
  platform_private_key: string
  platform_public_key: string
  platform_public_key_id: string
  platform_certificate: string
  platform_certificate_serial: string
}

const FIELDS = ['mode', 'mchid', 'appid', 'merchant_serial_no', 'merchant_public_key', 'apiv3_key'] as const
type Input = Partial<Record<(typeof FIELDS)[number], unknown>>

const field = (name: string) => `channels.wechatpay.${name}`
const fail = (name: string, message: string) => VALIDATION_FAILED(`${field(name)} ${message}`, { field: field(name) })

function check (input: unknown): Input {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw VALIDATION_FAILED('channels.wechatpay must be an object', { field: 'channels.wechatpay' })
  for (const key of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw fail(key, `is not a known field (${FIELDS.join(', ')})`)
  }
  const given = input as Input
  const text = (name: keyof Input, pattern: RegExp, what: string): void => {
    const v = given[name]
    if (v !== undefined && (typeof v !== 'string' || !pattern.test(v))) throw fail(name, `must be ${what}`)
  }
  text('mode', /^(public_key|certificate)$/, 'public_key or certificate')
  text('mchid', /^[0-9]{1,32}$/, '1 to 32 digits')
  text('appid', /^[A-Za-z0-9_]{1,32}$/, '1 to 32 letters and digits')
  text('merchant_serial_no', /^[0-9A-Fa-f]{1,64}$/, 'a hexadecimal serial of up to 64 digits')
  text('apiv3_key', /^[\x21-\x7e]{32}$/, '32 printable ASCII characters (32 bytes)')
  if (given.merchant_public_key !== undefined && typeof given.merchant_public_key !== 'string') throw fail('merchant_public_key', 'must be a PEM string')
  return given
}

/** An RSA public key (≥ 2048 bits) in PEM, or the merchant's certificate (apiclient_cert.pem): its key and serial. */
function merchantKey (pem: string): { publicKey: string, serial?: string } {
  try {
    if (pem.includes('BEGIN CERTIFICATE')) {
      const cert = new X509Certificate(pem)
      return { ...merchantKey(cert.publicKey.export({ type: 'spki', format: 'pem' }).toString()), serial: cert.serialNumber.toUpperCase() }
    }
    const key = createPublicKey(pem)
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new Error('not RSA 2048')
    return { publicKey: key.export({ type: 'spki', format: 'pem' }).toString() }
  } catch {
    throw fail('merchant_public_key', 'must be an RSA public key of at least 2048 bits, or the merchant certificate, in PEM')
  }
}

const hex = (env: ChannelEnv, bytes: number): string => env.crypto.randomBytes(bytes).toString('hex').toUpperCase()
const digits = (env: ChannelEnv, n: number): string => [...env.crypto.randomBytes(n)].map((b) => String(b % 10)).join('')
const APIV3_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

function accept ({ input, current, others, env }: CredentialsInput): { stored: WechatpayCredentials, shown: Record<string, unknown> } {
  const given = check(input)
  const had = current as WechatpayCredentials | undefined
  const taken = new Set(others.map((o) => (o.stored as WechatpayCredentials).mchid))
  let mchid = (given.mchid as string | undefined) ?? had?.mchid
  if (mchid !== undefined && taken.has(mchid)) throw fail('mchid', `${mchid} is another merchant's`)
  while (mchid === undefined || taken.has(mchid)) mchid = `19${digits(env, 8)}`

  let merchant: { publicKey: string, privateKey?: string, serial?: string }
  if (given.merchant_public_key !== undefined) merchant = merchantKey(given.merchant_public_key as string)
  else if (had !== undefined) merchant = { publicKey: had.merchant_public_key, ...(had.merchant_private_key === undefined ? {} : { privateKey: had.merchant_private_key }), serial: had.merchant_serial_no }
  else {
    const pair = env.crypto.generateRsaKeyPair()
    merchant = { publicKey: pair.publicKeyPem, privateKey: pair.privateKeyPem }
  }
  const serial = ((given.merchant_serial_no as string | undefined) ?? merchant.serial ?? hex(env, 20)).toUpperCase()

  let platform: Pick<WechatpayCredentials, 'platform_private_key' | 'platform_public_key' | 'platform_public_key_id' | 'platform_certificate' | 'platform_certificate_serial'>
  if (had !== undefined) {
    const { platform_private_key, platform_public_key, platform_public_key_id, platform_certificate, platform_certificate_serial } = had
    platform = { platform_private_key, platform_public_key, platform_public_key_id, platform_certificate, platform_certificate_serial }
  } else {
    const pair = env.crypto.generateRsaKeyPair()
    const certSerial = hex(env, 20)
    platform = {
      platform_private_key: pair.privateKeyPem,
      platform_public_key: pair.publicKeyPem,
      platform_public_key_id: `PUB_KEY_ID_01${mchid}${digits(env, 16)}`,
      platform_certificate: issueCertificate(pair.privateKeyPem, pair.publicKeyPem, certSerial, mchid, env.now).pem,
      platform_certificate_serial: certSerial
    }
  }
  const stored: WechatpayCredentials = {
    mode: (given.mode as WechatpayMode | undefined) ?? had?.mode ?? 'public_key',
    mchid,
    appid: (given.appid as string | undefined) ?? had?.appid ?? `wx${env.crypto.randomBytes(8).toString('hex')}`,
    merchant_serial_no: serial,
    merchant_public_key: merchant.publicKey,
    ...(merchant.privateKey === undefined ? {} : { merchant_private_key: merchant.privateKey }),
    apiv3_key: (given.apiv3_key as string | undefined) ?? had?.apiv3_key ?? [...env.crypto.randomBytes(32)].map((b) => APIV3_ALPHABET[b % APIV3_ALPHABET.length]).join(''),
    ...platform
  }
  return { stored, shown: sdkConfig(stored) }
}

/** Everything an SDK is configured with (the create/update answer, the quick start's printout). */
export function sdkConfig (c: WechatpayCredentials): Record<string, unknown> {
  return {
    mode: c.mode,
    mchid: c.mchid,
    appid: c.appid,
    merchant_serial_no: c.merchant_serial_no,
    ...(c.merchant_private_key === undefined ? {} : { merchant_private_key: c.merchant_private_key }),
    apiv3_key: c.apiv3_key,
    platform_public_key_id: c.platform_public_key_id,
    platform_public_key: c.platform_public_key,
    platform_certificate_serial: c.platform_certificate_serial,
    platform_certificate: c.platform_certificate
  }
}

/** What GET shows: no private key and no APIv3 key. */
function view (stored: unknown): Record<string, unknown> {
  const { merchant_private_key: _key, apiv3_key: _apiv3, ...shown } = sdkConfig(stored as WechatpayCredentials)
  return { ...shown, merchant_public_key: (stored as WechatpayCredentials).merchant_public_key }
}

export const wechatpayCredentials: ChannelCredentials = { accept, view }
