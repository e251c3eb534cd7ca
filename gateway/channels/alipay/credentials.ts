// A merchant's Alipay credentials (`channels.alipay` on POST/PATCH /admin/merchants): the app id
// and the app's public key (which requests are verified with), and paylab's "Alipay key pair"
// for this app (answers and notifications are signed with its private half). Left out, the app
// id and the app key pair are generated; the app's private key is then shown once and not kept —
// except for the demo merchant, whose credentials `npm start` prints at every start.
import { createPrivateKey } from 'node:crypto'
import type { ChannelCredentials, CredentialsInput } from '../../engine/channels.js'
import { readRsaPublicKey } from '../../engine/crypto.js'
import { VALIDATION_FAILED } from '../../engine/errors.js'
import { DEMO_MERCHANT_ID } from '../../engine/bootstrap.js'
import { publicKeyPem } from './sign.js'

export interface AlipayCredentials {
  app_id: string
  /** PEM; verifies the app's requests. */
  app_public_key: string
  /** The seller's Alipay user id (2088…), in answers and notifications. */
  seller_id: string
  alipay_public_key: string
  alipay_private_key: string
  /** Kept for the demo merchant only (the quick start prints it). */
  app_private_key?: string
}

const APP_ID = /^\d{6,32}$/
const FIELDS = new Set(['app_id', 'app_public_key'])

const field = (name: string): string => `channels.alipay.${name}`
const digits = (bytes: Buffer, n: number): string => [...bytes].map((b) => String(b % 10)).join('').slice(0, n)

/** The Node SDK's default key type is PKCS#1 ("RSA PRIVATE KEY"). */
const pkcs1 = (pkcs8Pem: string): string => createPrivateKey(pkcs8Pem).export({ type: 'pkcs1', format: 'pem' }).toString()

export const alipayCredentials: ChannelCredentials = {
  accept ({ merchantId, input, current, others, env }: CredentialsInput) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw VALIDATION_FAILED('channels.alipay must be an object: {app_id?, app_public_key?}', { field: 'channels.alipay' })
    }
    for (const key of Object.keys(input)) {
      if (!FIELDS.has(key)) throw VALIDATION_FAILED(`channels.alipay.${key} is not a field; give app_id and app_public_key, or neither`, { field: field(key) })
    }
    const given = input as { app_id?: unknown, app_public_key?: unknown }
    const had = current as AlipayCredentials | undefined
    const taken = new Set(others.map((o) => (o.stored as AlipayCredentials).app_id))

    let appId = had?.app_id
    if (given.app_id !== undefined) {
      if (typeof given.app_id !== 'string' || !APP_ID.test(given.app_id)) throw VALIDATION_FAILED('channels.alipay.app_id must be 6 to 32 digits, such as 2021000122671080', { field: field('app_id') })
      appId = given.app_id
    }
    while (appId === undefined || taken.has(appId)) {
      if (appId !== undefined && given.app_id === appId) throw VALIDATION_FAILED(`channels.alipay.app_id ${appId} belongs to another merchant`, { field: field('app_id') })
      appId = `2021${digits(env.crypto.randomBytes(24), 12)}`
    }

    let appPublicKey = had?.app_public_key
    let appPrivateKey: string | undefined
    if (given.app_public_key !== undefined) {
      const read = typeof given.app_public_key === 'string' ? readRsaPublicKey(publicKeyPem(given.app_public_key)) : { problem: 'must be a string' }
      if ('problem' in read) throw VALIDATION_FAILED(`channels.alipay.app_public_key ${read.problem} (an RSA public key of at least 2048 bits: PEM, or the bare base64 the Alipay console shows)`, { field: field('app_public_key') })
      appPublicKey = read.pem
    } else if (appPublicKey === undefined) {
      const pair = env.crypto.generateRsaKeyPair()
      appPublicKey = pair.publicKeyPem
      appPrivateKey = pkcs1(pair.privateKeyPem)
    }

    // paylab's "Alipay key pair" is made once, with the first app, and shared by the apps after
    // it, as Alipay's own platform key: an RSA key generation costs every merchant create ~100 ms.
    const first = others.length === 0 ? undefined : others[0]?.stored as AlipayCredentials
    const alipay = had !== undefined
      ? { publicKeyPem: had.alipay_public_key, privateKeyPem: had.alipay_private_key }
      : first !== undefined ? { publicKeyPem: first.alipay_public_key, privateKeyPem: first.alipay_private_key } : env.crypto.generateRsaKeyPair()
    const stored: AlipayCredentials = {
      app_id: appId,
      app_public_key: appPublicKey,
      seller_id: had?.seller_id ?? `2088${digits(env.crypto.randomBytes(24), 12)}`,
      alipay_public_key: alipay.publicKeyPem,
      alipay_private_key: alipay.privateKeyPem
    }
    const keep = appPrivateKey ?? (given.app_public_key === undefined ? had?.app_private_key : undefined)
    if (merchantId === DEMO_MERCHANT_ID && keep !== undefined) stored.app_private_key = keep
    return {
      stored,
      shown: {
        app_id: stored.app_id,
        app_public_key: stored.app_public_key,
        ...(appPrivateKey === undefined ? {} : { app_private_key: appPrivateKey }),
        alipay_public_key: stored.alipay_public_key,
        seller_id: stored.seller_id
      }
    }
  },
  view (stored) {
    const s = stored as AlipayCredentials
    return { app_id: s.app_id, app_public_key: s.app_public_key, alipay_public_key: s.alipay_public_key, seller_id: s.seller_id }
  }
}
