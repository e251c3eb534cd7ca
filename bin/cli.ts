// `paylab <command>`: one entry point for every part of the sandbox.
import { runGateway } from '../gateway/cli.js'
import { runStart } from './start.js'
import { runDemo } from './demo.js'
import { runScenariosCli } from '../scenarios/cli.js'

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
    case 'gateway': return await runGateway(rest)
    case 'start': return await runStart(rest)
    case 'demo': return await runDemo(rest)
    case 'scenarios': return await runScenariosCli(rest)
    case undefined: case '--help': case '-h': case 'help':
      process.stdout.write(USAGE)
      return command === undefined ? 2 : 0
    default:
      process.stderr.write(`paylab: unknown command ${JSON.stringify(command)}\n\n${USAGE}`)
      return 2
  }
}
