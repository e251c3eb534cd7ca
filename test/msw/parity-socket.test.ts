import t from 'tap'
import { sdkBehaviours } from './sdk-behaviours.js'
import { socketEnv } from './env.js'

sdkBehaviours(t, socketEnv)
