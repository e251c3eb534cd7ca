// The merchant suite: the SDK, the reference shop and the scenarios (test/helpers/suites.ts says
// which files it runs and why).
import { runSuite } from '../helpers/suites.js'

await runSuite('merchant')
