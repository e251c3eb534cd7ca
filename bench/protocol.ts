// What the bench's parent and its server processes (bench/server.ts) say to each other over IPC,
// and the merchants the workloads sign as. Apart from server.ts, which starts serving when loaded.
export interface Credentials { merchant: string, secret: string }
export interface WechatpayCaller { mchid: string, appid: string, serial: string, privateKey: string }
/** `rsaWork`: where the gateway's RSA private-key operations ran (a provider with async forms runs them on the pool). */
export interface GatewayFacts { demo: Credentials, key: { id: string, public_key: string }, rsa: Credentials, wechatpay: WechatpayCaller, rsaWork: 'worker pool' | 'event loop' }

export type ServerMessage =
  | { type: 'ready', port: number, openMs: number, payments: number, gateway?: GatewayFacts }
  | { type: 'sample', ids: string[] }
  | { type: 'seeded', ms: number }
  | { type: 'stats', maxStallMs: number, gcMs: number, maxGcMs: number, journal: number }
  | { type: 'memory', rss: number, heapUsed: number }
  | { type: 'cpu', seconds: number }
  | { type: 'settled', ms: number }
export type ParentMessage = { type: 'sample', count: number } | { type: 'stats' } | { type: 'memory' } | { type: 'cpu' } | { type: 'settle' } | { type: 'close' }

/** The merchant whose requests are RSA-signed, so its answers are too (its key pair is the bench's, made at each run). */
export const RSA_MERCHANT = 'bench-rsa'
