// `paylab demo` (npm run demo) as a person runs it: one purchase told step by step, the shop's
// timeline in between, ending paid and confirmed by a notification; no card number printed.
// The default run and a bad option go through the command (`node bin/paylab.js`: its output and
// exit code as a person sees them); 3-D Secure, the other methods and the refused values call the
// same demo in this process with its output captured: the same runs and assertions, without a
// process (~2 s of CPU) each.
import t from 'tap'
import { runDemo } from '../bin/demo.js'
import { runCli, type Exit } from './helpers/cli.js'

/** `paylab demo ARGS` in this process: its exit code and what it printed. */
async function demo (args: string[]): Promise<Omit<Exit, 'signal'>> {
  let stdout = ''
  let stderr = ''
  const code = await runDemo(args, { stdout: { write: (s: string) => { stdout += s } }, stderr: { write: (s: string) => { stderr += s } } })
  return { code, stdout, stderr }
}

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
  const threeDs = await demo(['--card', '4000002760003184'])
  t.equal(threeDs.code, 0, threeDs.stderr)
  t.match(threeDs.stdout, 'asks for 3-D Secure')
  t.match(threeDs.stdout, /: paid, confirmed by a signed notification/)
  const bad = await runCli(['demo', '--nope'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, 'Usage: paylab demo')
})

t.test('every method demo --help lists buys and ends paid', async (t) => {
  const help = await demo(['--help'])
  const line = /--method <m>\s+how the buyer pays: (.*)/.exec(help.stdout)?.[1] ?? ''
  const listed = line.replace(' (default)', '').split(/, | or /)
  t.same(listed.sort(), ['bank_transfer', 'card', 'wallet:alipay', 'wallet:wechat_pay'])
  // card is the default, bought in the first test.
  const runs = await Promise.all(listed.filter((m) => m !== 'card').map(async (method) => ({ method, run: await demo(['--method', method]) })))
  for (const { method, run } of runs) {
    t.equal(run.code, 0, `${method}: ${run.stderr}`)
    t.match(run.stdout, /: paid, confirmed by a signed notification/, method)
  }
})

t.test('a bad --method or --card is a usage error: exit 2, one line with the valid values', async (t) => {
  const [method, card] = await Promise.all([
    demo(['--method', 'paypal']),
    demo(['--card', '1234'])
  ])
  for (const run of [method, card]) {
    t.equal(run.code, 2)
    t.equal(run.stdout, '')
    t.equal(run.stderr.split('\n').length, 2, `one line: ${run.stderr}`)
  }
  t.equal(method.stderr, 'paylab demo: --method paypal is not one of card, wallet:alipay, wallet:wechat_pay or bank_transfer\n')
  t.match(card.stderr, /^paylab demo: --card 1234 is not a card number .*4242424242424242 is paid/)
})
