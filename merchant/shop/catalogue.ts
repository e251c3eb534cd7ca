// The shop's products: made with faker from a fixed seed, so every shop (and every test and
// scenario) sells the same things at the same prices.
import { Faker, en } from '@faker-js/faker'

export interface Product {
  id: string
  name: string
  description: string
  /** Minor units of `currency`. */
  price: number
  currency: string
}

export const CATALOGUE_SEED = 20261127

export function makeCatalogue (count = 12, seed = CATALOGUE_SEED): Product[] {
  const faker = new Faker({ locale: [en], seed })
  return Array.from({ length: count }, (_, i) => ({
    id: `prod_${String(i + 1).padStart(3, '0')}`,
    name: faker.commerce.productName(),
    description: faker.commerce.productDescription(),
    price: faker.number.int({ min: 5, max: 200 }) * 100 - 1,
    currency: 'USD'
  }))
}
