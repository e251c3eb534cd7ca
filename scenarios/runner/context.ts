// What one running scenario holds: its merchant, its shop, its variables and seeded randomness,
// and a signed reader of the gateway's view that no rule of the scenario touches.
import { createHash, generateKeyPair, randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import type { Faker } from '@faker-js/faker'
import { PaylabClient } from '../../merchant/sdk/index.js'
import type { Services } from './services.js'
import type { ShopHandle } from './shops.js'
import { newFaker } from './faker.js'
import { interpolate, type FakerExpr, type ParsedExpr } from './template.js'
import type { Scenario } from './types.js'

export interface MerchantCreds { id: string, secret: string, privateKey?: string | undefined, shared: boolean }

export interface SavedRequest { method: string, path: string, headers: Record<string, string>, body: string }

/** mulberry32: a small seeded source for the SDK's retry jitter. */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The scenario's own seed, or one drawn from the run's seed and its name. */
export function scenarioSeed (scenario: Scenario, runSeed: number): number {
  return scenario.seed ?? createHash('sha256').update(`${runSeed}:${scenario.name}`).digest().readUInt32BE(0) & 0x7fffffff
}

export class ScenarioContext {
  readonly vars = new Map<string, unknown>()
  readonly faker: Faker
  readonly random: () => number
  /** Request ids of the runner's own reads: left out of journal expectations and reports. */
  readonly ownRequests = new Set<string>()
  readonly saved = new Map<string, SavedRequest>()
  /** Payments a shared merchant had before this scenario: not counted as its own. */
  readonly preexisting = new Set<string>()
  readonly reader: PaylabClient
  clockMs = 0

  constructor (
    readonly scenario: Scenario,
    readonly services: Services,
    readonly merchant: MerchantCreds,
    readonly shop: ShopHandle | undefined,
    readonly shopUrl: string,
    readonly seed: number,
    /** Journal entries at or below this seq belong to earlier scenarios (a shared merchant). */
    readonly journalSince: number,
    cliVars: Record<string, string>
  ) {
    this.faker = newFaker(seed) // run-scenario.ts loaded it
    this.random = seededRandom(seed ^ 0x5bd1e995)
    const ownRequests = this.ownRequests
    this.reader = new PaylabClient({
      baseUrl: services.gatewayUrl,
      merchantId: merchant.id,
      secret: merchant.secret,
      ...(merchant.privateKey === undefined ? {} : { signatureType: 'RSA-SHA256' as const, privateKey: merchant.privateKey }),
      now: services.now,
      // Signatures are checked, freshness is not: a sandbox may stamp its answers with the real
      // clock or with its virtual one, and these reads are the runner's, not the merchant's.
      toleranceSec: 10 * 365 * 86400,
      retry: { maxAttempts: 2, baseDelayMs: 50 },
      // `delay;0` is a fault chosen by header: no rule of the scenario acts on these reads or spends its `times`.
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers)
        headers.set('paylab-scenario', 'delay;0')
        const res = await fetch(input, { ...init, headers })
        const id = res.headers.get('paylab-request-id')
        if (id !== null) ownRequests.add(id)
        return res
      }
    })
    for (const [k, v] of Object.entries(scenario.vars)) this.vars.set(k, this.resolve(v))
    for (const [k, v] of Object.entries(cliVars)) this.vars.set(k, v)
  }

  /** A value with its `${…}` replaced. */
  resolve (value: unknown): unknown {
    return interpolate(value, (expr) => this.#lookup(expr))
  }

  #lookup (expr: ParsedExpr | FakerExpr): unknown {
    if (expr.kind === 'faker') {
      const mod = (this.faker as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[expr.module]
      return mod?.[expr.method]?.(...expr.args)
    }
    const [root, ...rest] = expr.segments
    let value: unknown = this.#root(root as string)
    for (const segment of rest) {
      if (value === null || typeof value !== 'object') { value = undefined; break }
      value = (value as Record<string, unknown>)[segment]
    }
    if (value === undefined) throw new Error(`\${${expr.segments.join('.')}} has no value`)
    return value
  }

  #root (name: string): unknown {
    if (this.vars.has(name)) return this.vars.get(name)
    switch (name) {
      case 'merchant': return { id: this.merchant.id, secret: this.merchant.secret }
      case 'gateway': return { url: this.services.gatewayUrl }
      case 'shop': return { url: this.shopUrl }
      case 'scenario': return { name: this.scenario.name, seed: this.seed }
      case 'env': return process.env
      case 'clock': return { ms: this.services.now(), now: new Date(this.services.now()).toISOString(), date: new Date(this.services.now()).toISOString().slice(0, 10) }
      case 'uid': return randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')
      default: return undefined
    }
  }
}

/** A merchant of its own for the scenario (with an RSA key pair when it signs with RSA). */
export async function createMerchant (services: Services, scenario: Scenario): Promise<MerchantCreds> {
  const m = scenario.merchant
  let privateKey: string | undefined
  let publicKey: string | undefined
  if (m.signature === 'RSA-SHA256') {
    const pair = services.crypto !== undefined
      ? { ...services.crypto.generateRsaKeyPair() }
      : await promisify(generateKeyPair)('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }).then((p) => ({ publicKeyPem: p.publicKey, privateKeyPem: p.privateKey }))
    privateKey = pair.privateKeyPem
    publicKey = pair.publicKeyPem
  }
  // An RSA merchant gets RSA-signed answers unless it says otherwise.
  const answerType = m.answer_signature_type ?? (publicKey === undefined ? undefined : 'RSA-SHA256')
  const created = await services.admin.json<{ id: string, hmac_secret: string }>('POST', '/admin/merchants', {
    name: `scenario: ${scenario.name}`.slice(0, 100),
    ...(publicKey === undefined ? {} : { rsa_public_key: publicKey }),
    ...(answerType === undefined ? {} : { answer_signature_type: answerType }),
    ...(m.notify_retry_schedule === undefined ? {} : { notify_retry_schedule: m.notify_retry_schedule })
  })
  return { id: created.id, secret: created.hmac_secret, privateKey, shared: false }
}
