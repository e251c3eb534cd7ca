// One scenario from start to end: its merchant and shop, its steps in order, and on failure what
// the report needs (the step, expected against seen, the gateway's recent journal lines).
import { journalLine } from './admin.js'
import { createMerchant, scenarioSeed, seededRandom, ScenarioContext, type MerchantCreds } from './context.js'
import { loadFaker } from './faker.js'
import { runStep } from './run-step.js'
import type { Services } from './services.js'
import { startShop, type ShopHandle } from './shops.js'
import { journalOf, paymentIds } from './steps/expect.js'
import { ExpectationFailed, RuntimeProblem, type Failure, type Scenario, type ScenarioResult, type Step } from './types.js'

export interface RunSettings { seed: number, vars: Record<string, string>, journalLines: number }

/** Why a scenario cannot run against an external shop, if it cannot. */
export function externalShopLimit (scenario: Scenario): string | undefined {
  if (Object.keys(scenario.merchant).length > 0) return 'it makes its own kind of merchant (merchant:), which an external shop is not wired to'
  if (scenario.steps.some((s) => s.kind === 'shop.receiver')) return 'shop.receiver needs the shop the runner starts'
  return undefined
}

export async function runScenario (services: Services, scenario: Scenario, settings: RunSettings): Promise<ScenarioResult> {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const external = services.externalShop
  if (external !== undefined) {
    const limit = externalShopLimit(scenario)
    if (limit !== undefined) return { scenario, outcome: 'skipped', ms: 0, skipReason: `not run against --shop: ${limit}` }
  }
  let shop: ShopHandle | undefined
  let ctx: ScenarioContext | undefined
  let current: Step | undefined
  try {
    await services.syncClock()
    const seed = scenarioSeed(scenario, settings.seed)
    let merchant: MerchantCreds
    let since = 0
    if (external !== undefined) {
      // One merchant for every scenario: its rules are reset and its journal read from here on.
      merchant = { id: external.merchantId, secret: external.secret, shared: true }
      await services.admin.json('DELETE', `/admin/rules?merchant_id=${encodeURIComponent(merchant.id)}`)
      since = (await services.admin.journal({ merchant_id: merchant.id, limit: 1 })).at(-1)?.seq ?? 0
    } else {
      merchant = await createMerchant(services, scenario)
      shop = await startShop({
        gatewayUrl: services.gatewayUrl, merchantId: merchant.id, secret: merchant.secret, privateKey: merchant.privateKey,
        now: services.now, timeoutMs: scenario.shop.timeoutMs ?? 3000, maxAttempts: scenario.shop.maxAttempts ?? 4, random: seededRandom(seed)
      })
    }
    await loadFaker()
    ctx = new ScenarioContext(scenario, services, merchant, shop, external?.url ?? (shop as ShopHandle).url, seed, since, settings.vars)
    const run = ctx
    if (merchant.shared) for (const id of await paymentIds(run)) run.preexisting.add(id)
    await withTimeout(scenario.timeoutMs, (async () => {
      for (const step of scenario.steps) {
        current = step
        await runStep(run, step)
      }
      current = undefined
    })())
    return { scenario, outcome: 'passed', ms: elapsed() }
  } catch (err) {
    const failure: Failure = {
      step: current,
      message: err instanceof Error ? err.message : String(err),
      mismatches: err instanceof ExpectationFailed ? err.mismatches : [],
      journal: ctx === undefined ? [] : await recentJournal(ctx, settings.journalLines)
    }
    // Only a service that cannot be reached is a runtime error; anything else the scenario saw fails it.
    return { scenario, outcome: err instanceof RuntimeProblem ? 'error' : 'failed', ms: elapsed(), failure }
  } finally {
    if (external !== undefined && ctx !== undefined) await services.admin.call('DELETE', `/admin/rules?merchant_id=${encodeURIComponent(ctx.merchant.id)}`).catch(() => undefined)
    await shop?.close()
  }
}

async function recentJournal (ctx: ScenarioContext, lines: number): Promise<string[]> {
  try {
    return (await journalOf(ctx)).slice(-lines).map(journalLine)
  } catch (err) {
    return [`(the journal could not be read: ${(err as Error).message})`]
  }
}

async function withTimeout (ms: number, work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ExpectationFailed(`the scenario did not finish within ${ms} ms`)), ms)
  })
  try {
    await Promise.race([work, limit])
  } finally {
    clearTimeout(timer)
  }
}
