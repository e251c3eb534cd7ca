// paylab's reference merchant SDK. It shares no code with the gateway: only the wire contract.
export { PaylabClient, type CallOptions } from './client.js'
export type { PaylabClientOptions, RetryPolicy } from './options.js'
export * from './errors.js'
export { verifyNotification, type NotificationVerifyOptions } from './notifications.js'
export { encryptCard, type CardEnvelope } from './crypto.js'
export { buildNotification, buildSignedRequest, type Breakage } from './testing.js'
export { answerStringToSign, requestStringToSign } from './signing.js'
export type * from './types.js'
