// The gateway-2 suite (test/helpers/suites.ts says which files it runs and why).
import { runSuite } from '../helpers/suites.js'

await runSuite('gateway-2')
