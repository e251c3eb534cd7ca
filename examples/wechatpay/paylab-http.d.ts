export interface PaylabAnswer { status: number, headers: Record<string, string>, text: string, data?: any, error?: string }
export function paylabHttp (baseUrl: string): {
  get (url: string, headers: Record<string, string>): Promise<PaylabAnswer>
  post (url: string, params: unknown, headers: Record<string, string>): Promise<PaylabAnswer>
  upload (): never
}
