// `data` is the answer's JSON, typed `any` as wechatpay-node-v3 types its own answers.
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface PaylabAnswer { status: number, headers: Record<string, string>, text: string, data?: any, error?: string }
export function paylabHttp (baseUrl: string): {
  get (url: string, headers: Record<string, string>): Promise<PaylabAnswer>
  post (url: string, params: unknown, headers: Record<string, string>): Promise<PaylabAnswer>
  upload (): never
}
