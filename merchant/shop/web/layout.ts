// The shop's page frame and look: a header with the cart, one readable column on a phone.
export const SHOP_NAME = 'Demo Shop'

export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const CSS = `
*{box-sizing:border-box}
:root{--ink:#1d232b;--muted:#5d6773;--line:#dde2e8;--bg:#f7f5f2;--accent:#c2410c;--accent-ink:#fff;--good:#166534;--bad:#b91c1c;--wait:#92400e}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:inherit}
header.top{background:#fff;border-bottom:1px solid var(--line)}
header.top .in{max-width:64rem;margin:0 auto;padding:.8rem 1rem;display:flex;justify-content:space-between;align-items:center;gap:1rem}
.logo{font-weight:800;font-size:1.2rem;text-decoration:none;letter-spacing:-.01em}
.logo span{color:var(--accent)}
.cart-link{text-decoration:none;font-weight:600;border:1px solid var(--line);border-radius:999px;padding:.35rem .9rem}
main{max-width:64rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.5rem;margin:0 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .6rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem;list-style:none;padding:0;margin:0}
.product{background:#fff;border:1px solid var(--line);border-radius:12px;padding:1rem;display:flex;flex-direction:column;gap:.5rem}
.thumb{height:7rem;border-radius:8px;display:grid;place-items:center;font-size:2rem;font-weight:800;color:#fff}
.product h2{font-size:1rem;margin:0}
.product p{margin:0;color:var(--muted);font-size:.88rem;display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden}
.price{font-weight:700;font-size:1.05rem}
.product form{margin-top:auto}
button,.button{font:inherit;font-weight:600;min-height:2.75rem;padding:.55rem 1rem;border-radius:8px;border:0;background:var(--accent);color:var(--accent-ink);cursor:pointer;text-decoration:none;display:inline-flex;align-items:center;justify-content:center}
button.plain,.button.plain{background:#fff;color:var(--ink);border:1px solid var(--line)}
button.wide,.button.wide{width:100%}
:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
.panel{background:#fff;border:1px solid var(--line);border-radius:12px;padding:1.1rem}
.two{display:grid;gap:1rem}
@media (min-width:52rem){.two{grid-template-columns:3fr 2fr}}
table.lines{width:100%;border-collapse:collapse}
table.lines th,table.lines td{text-align:left;padding:.55rem .3rem;border-bottom:1px solid var(--line);vertical-align:middle}
table.lines td.num,table.lines th.num{text-align:right;white-space:nowrap}
table.lines input{width:4.5rem;font:inherit;padding:.4rem;border:1px solid #b8c0ca;border-radius:6px}
.total{display:flex;justify-content:space-between;font-weight:700;font-size:1.15rem;margin:.8rem 0}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:1rem}
fieldset{border:0;padding:0;margin:0}
legend{font-weight:700;margin-bottom:.5rem}
.choice{display:flex;gap:.7rem;align-items:center;border:1px solid var(--line);border-radius:10px;padding:.75rem .9rem;margin-bottom:.5rem;background:#fff;cursor:pointer}
.choice:has(input:checked){border:2px solid var(--accent)}
.choice input{width:1.2rem;height:1.2rem;accent-color:var(--accent)}
.choice small{display:block;color:var(--muted)}
.badge{display:inline-block;padding:.2rem .7rem;border-radius:999px;font-weight:700;font-size:.95rem;background:#fef3c7;color:var(--wait)}
.badge.paid,.badge.refunded,.badge.partially_refunded{background:#dcfce7;color:var(--good)}
.badge.payment_failed,.badge.closed{background:#fee2e2;color:var(--bad)}
.alert{border-radius:8px;padding:.75rem .9rem;background:#fee2e2;color:#7f1d1d;border:1px solid #fecaca;margin:0 0 1rem}
.muted{color:var(--muted)}
ol.timeline{list-style:none;padding:0;margin:0;border-left:3px solid var(--line)}
ol.timeline li{position:relative;padding:.15rem 0 .9rem 1rem}
ol.timeline li::before{content:"";position:absolute;left:-.5rem;top:.5rem;width:.7rem;height:.7rem;border-radius:50%;background:#94a3b8}
ol.timeline li.k-notification::before{background:#2563eb}ol.timeline li.k-status::before{background:var(--accent)}
ol.timeline time{display:block;font-size:.8rem;color:var(--muted)}
.empty{text-align:center;padding:2rem}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;word-break:break-all}
`

export function layout (title: string, body: string, cartCount = 0): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ${SHOP_NAME}</title><style>${CSS}</style></head><body>
<header class="top"><div class="in"><a class="logo" href="/">Demo<span>Shop</span></a>
<a class="cart-link" href="/cart" aria-label="Cart, ${cartCount} item${cartCount === 1 ? '' : 's'}">Cart (${cartCount})</a></div></header>
<main>${body}</main></body></html>`
}
