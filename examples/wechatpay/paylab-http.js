// The smallest shim for wechatpay-node-v3 (2.2.x), which has WeChat's host written into every
// call: give `pay.createHttp(paylabHttp('http://127.0.0.1:7400'))` and its requests go to paylab.
// The SDK signs the path only, so rewriting the host here keeps its signatures valid. Answers keep
// their headers and raw text, so that `pay.verifySign()` can check each one (the SDK does not by itself).
const WECHAT = 'https://api.mch.weixin.qq.com'

export function paylabHttp (baseUrl) {
  const base = baseUrl.replace(/\/$/, '')
  async function call (method, url, params, headers) {
    const res = await fetch(url.replace(WECHAT, base), {
      method,
      headers,
      // The SDK signed JSON.stringify(params): send exactly that.
      body: params === undefined ? undefined : JSON.stringify(params)
    })
    const text = await res.text()
    let data = text
    try { data = text === '' ? '' : JSON.parse(text) } catch {}
    const answer = { status: res.status, headers: Object.fromEntries(res.headers), text }
    // The shape of the SDK's own client: `data` on success, `error` (the raw text) otherwise.
    return res.ok ? { ...answer, data } : { ...answer, error: text }
  }
  return {
    get: (url, headers) => call('GET', url, undefined, headers),
    post: (url, params, headers) => call('POST', url, params, headers),
    upload: () => { throw new Error('uploads are not simulated by paylab') }
  }
}
