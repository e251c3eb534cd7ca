import t from 'tap'
import { CURRENCY_EXPONENTS, MAX_AMOUNT, majorToMinor, minorToMajor } from '../../gateway/engine/money.js'
import { cardBrand, luhnValid, normalizeNumber } from '../../gateway/engine/cards.js'
import { PaylabError } from '../../gateway/engine/errors.js'

function codeOf (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return err instanceof PaylabError ? err.code : `not a PaylabError: ${String(err)}`
  }
  return undefined
}

t.test('majorToMinor reads decimal text exactly, per currency exponent', async (t) => {
  // [text, USD (2), KWD (3), JPY (0)]; null = more decimals than the currency has
  const table: Array<[string, number | null, number | null, number | null]> = [
    ['100', 10000, 100000, 100],
    ['100.0', 10000, 100000, 100],
    ['100.00', 10000, 100000, 100],
    ['1e2', 10000, 100000, 100],
    ['1E2', 10000, 100000, 100],
    ['0.001', null, 1, null],
    ['0.01', 1, 10, null],
    ['1.5', 150, 1500, null],
    ['1.5e1', 1500, 15000, 15],
    ['1000e-5', 1, 10, null],
    ['12.340', 1234, 12340, null],
    ['0.1', 10, 100, null]
  ]
  for (const [text, usd, kwd, jpy] of table) {
    for (const [currency, expected] of [['USD', usd], ['KWD', kwd], ['JPY', jpy]] as const) {
      if (expected === null) t.equal(codeOf(() => majorToMinor(text, currency)), 'PAYLAB_AMOUNT_INVALID', `${text} ${currency}`)
      else t.equal(majorToMinor(text, currency), expected, `${text} ${currency}`)
    }
  }
})

t.test('majorToMinor never goes through float math', async (t) => {
  // 0.29 * 100 is 28.999999999999996 in binary floating point.
  t.equal(majorToMinor('0.29', 'USD'), 29)
  t.equal(majorToMinor('1.005', 'KWD'), 1005)
  t.equal(majorToMinor('123456789.99', 'USD'), 12345678999)
  t.equal(majorToMinor('0.07', 'USD'), 7) // 0.07 * 100 = 7.000000000000001
  t.equal(majorToMinor('19.99', 'USD'), 1999)
})

t.test('majorToMinor refuses too many decimals, zero, too large and non-numbers', async (t) => {
  const refused: Array<[string, string]> = [
    ['100.001', 'USD'], ['1.5', 'JPY'], ['0.0001', 'KWD'], ['1e-3', 'USD'], ['1e-400', 'KWD'],
    ['0', 'USD'], ['0.00', 'USD'], ['0e5', 'JPY'], ['000', 'KWD'],
    ['1000000000', 'USD'], ['100000000000', 'JPY'], ['1e400', 'USD'], ['99999999999999999999', 'USD'],
    ['abc', 'USD'], ['', 'USD'], ['-1', 'USD'], ['+1', 'USD'], ['1,00', 'USD'], [' 1', 'USD'], ['1.', 'USD'],
    ['.5', 'USD'], ['NaN', 'USD'], ['Infinity', 'USD'], ['0x10', 'USD'], ['1e', 'USD'], ['1..0', 'USD']
  ]
  for (const [text, currency] of refused) {
    t.equal(codeOf(() => majorToMinor(text, currency)), 'PAYLAB_AMOUNT_INVALID', `${JSON.stringify(text)} ${currency}`)
  }
})

t.test('MAX_AMOUNT is accepted and one minor unit more is not', async (t) => {
  t.equal(majorToMinor(minorToMajor(MAX_AMOUNT, 'USD'), 'USD'), MAX_AMOUNT)
  t.equal(majorToMinor(String(MAX_AMOUNT), 'JPY'), MAX_AMOUNT)
  t.equal(codeOf(() => majorToMinor(String(MAX_AMOUNT + 1), 'JPY')), 'PAYLAB_AMOUNT_INVALID')
  t.equal(codeOf(() => majorToMinor(minorToMajor(MAX_AMOUNT + 1, 'KWD'), 'KWD')), 'PAYLAB_AMOUNT_INVALID')
  t.ok(Number.isSafeInteger(MAX_AMOUNT))
})

t.test('an unknown or lower-case currency is PAYLAB_CURRENCY_UNSUPPORTED', async (t) => {
  for (const currency of ['usd', 'XYZ', '', 'US']) {
    t.equal(codeOf(() => majorToMinor('1', currency)), 'PAYLAB_CURRENCY_UNSUPPORTED', JSON.stringify(currency))
    t.equal(codeOf(() => minorToMajor(1, currency)), 'PAYLAB_CURRENCY_UNSUPPORTED', JSON.stringify(currency))
  }
})

t.test('minorToMajor writes the currency decimals and reads back', async (t) => {
  t.equal(minorToMajor(10000, 'USD'), '100.00')
  t.equal(minorToMajor(5, 'USD'), '0.05')
  t.equal(minorToMajor(1, 'KWD'), '0.001')
  t.equal(minorToMajor(1234, 'KWD'), '1.234')
  t.equal(minorToMajor(500, 'JPY'), '500')
  t.equal(minorToMajor(MAX_AMOUNT, 'USD'), '999999999.99')
  for (const [currency, exponent] of Object.entries(CURRENCY_EXPONENTS)) {
    for (const minor of [1, 7, 10, 99, 100, 101, 123456, MAX_AMOUNT]) {
      const text = minorToMajor(minor, currency)
      t.equal((text.split('.')[1] ?? '').length, exponent, `${minor} ${currency} has ${exponent} decimals`)
      if (majorToMinor(text, currency) !== minor) t.fail(`${minor} ${currency} → ${text} does not read back`)
    }
  }
})

t.test('luhnValid', async (t) => {
  for (const n of ['4242424242424242', '5555555555554444', '378282246310005', '4000000000000002', '6011111111111117', '79927398713']) {
    t.ok(luhnValid(n), n)
  }
  for (const n of ['4242424242424241', '5555555555554445', '378282246310006', '79927398710', '1234567812345678']) {
    t.notOk(luhnValid(n), n)
  }
})

t.test('cardBrand', async (t) => {
  const brands: Array<[string, string]> = [
    ['4242424242424242', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['2221000000000009', 'mastercard'],
    ['2720990000000007', 'mastercard'],
    ['378282246310005', 'amex'],
    ['341111111111111', 'amex'],
    ['6011111111111117', 'discover'],
    ['6500000000000002', 'discover'],
    ['3530111333300000', 'jcb'],
    ['6200000000000005', 'unionpay'],
    ['30569309025904', 'diners'],
    ['36227206271667', 'diners'],
    ['2721000000000004', 'unknown'],
    ['9999999999999995', 'unknown']
  ]
  for (const [n, brand] of brands) t.equal(cardBrand(n), brand, n)
})

t.test('normalizeNumber strips spaces and dashes and refuses the rest', async (t) => {
  t.equal(normalizeNumber('4242 4242-4242 4242'), '4242424242424242')
  for (const bad of ['4242424242424241', '4242x42424242424', '42424242', '4'.repeat(20), '']) {
    t.equal(codeOf(() => normalizeNumber(bad)), 'PAYLAB_CARD_NUMBER_INVALID', bad)
  }
  t.equal(codeOf(() => normalizeNumber(4242424242424242)), 'PAYLAB_VALIDATION_FAILED')
})
