// `paylab demo` (npm run demo) as a person runs it: one purchase told step by step, the shop's
// timeline in between, ending paid and confirmed by a notification; no card number printed.
import t from 'tap'
import { runCli } from './helpers/cli.js'

t.test('the default demo buys by card and prints the whole timeline', async (t) => {
  const run = await runCli(['demo'])
  t.equal(run.code, 0, run.stderr)
  const lines = run.stdout.split('\n')
  const at = (re: RegExp): number => lines.findIndex((l) => re.test(l))
  const order = [
    /^ {2}1\. The buyer opens the shop/,
    /\[shop\] Order placed for 1 item/,
    /\[shop\] The shop asked the payment channel .* signed/,
    /\[shop\] The channel answered and its signature checked out/,
    /^ {2}3\. .*payment page: Demo Shop, Order ord_/,
    /card ending in 4242; it is encrypted for the channel's key key_/,
    /^ {2}5\. The channel sends the buyer back/,
    /^Order ord_\w+: paid, confirmed by a signed notification/
  ].map(at)
  t.notOk(order.includes(-1), `every step is printed: ${JSON.stringify(order)}`)
  t.same(order, [...order].sort((a, b) => a - b), 'in the order they happen')
  t.match(run.stdout, /\[shop\] The channel sent a notification \(the payment went through\)/)
  t.match(run.stdout, /\[shop\] The buyer came back from the payment page/)
  t.notMatch(run.stdout, '4242424242424242')
})

t.test('a 3-D Secure card; a bad option exits 2', async (t) => {
  const threeDs = await runCli(['demo', '--card', '4000002760003184'])
  t.equal(threeDs.code, 0, threeDs.stderr)
  t.match(threeDs.stdout, 'asks for 3-D Secure')
  t.match(threeDs.stdout, /: paid, confirmed by a signed notification/)
  const bad = await runCli(['demo', '--nope'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, 'Usage: paylab demo')
})
