import t from 'tap'
import { sdkBehaviours } from './sdk-behaviours.js'
import { mswEnv } from './env.js'

sdkBehaviours(t, mswEnv)
