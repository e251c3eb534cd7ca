// Faker costs ~0.35 s of CPU to load (a few MB of modules), more than the rest of
// `paylab scenarios validate` together: it is loaded when a scenario is about to run or a
// document to be linted calls it, not with the runner's modules.
import type * as FakerModule from '@faker-js/faker'

let loaded: typeof FakerModule | undefined

export async function loadFaker (): Promise<void> {
  loaded ??= await import('@faker-js/faker')
}

/** A Faker in English, seeded when given a seed; loadFaker() must have resolved first. */
export function newFaker (seed?: number): FakerModule.Faker {
  if (loaded === undefined) throw new Error('faker is not loaded yet (scenarios/runner/faker.ts: await loadFaker() first)')
  return new loaded.Faker({ locale: [loaded.en], ...(seed === undefined ? {} : { seed }) })
}
