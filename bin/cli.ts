// `paylab <command>`: one entry point for every part of the sandbox. A command's modules load only
// once it is chosen, so `paylab --help` and a usage error load none of them.

const USAGE = `paylab — a payment-channel simulator and sandbox

Usage:
  paylab start [options]     the gateway and the reference shop, wired together (npm start)
  paylab gateway [options]   the payment channel alone (paylab gateway --help)
  paylab scenarios [...]     scripted failure scenarios (paylab scenarios --help)
  paylab demo [options]      one purchase from product to paid order, told step by step (npm run demo)
  paylab --help              this text
`

export async function main (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'gateway': return await (await import('../gateway/cli.js')).runGateway(rest)
    case 'start': return await (await import('./start.js')).runStart(rest)
    case 'demo': return await (await import('./demo.js')).runDemo(rest)
    case 'scenarios': return await (await import('../scenarios/cli.js')).runScenariosCli(rest)
    case undefined: case '--help': case '-h': case 'help':
      process.stdout.write(USAGE)
      return command === undefined ? 2 : 0
    default:
      process.stderr.write(`paylab: unknown command ${JSON.stringify(command)}\n\n${USAGE}`)
      return 2
  }
}
