// The hosted cashier's look: one column that fits a phone, large targets, visible focus.
export const CASHIER_CSS = `
*{box-sizing:border-box}
:root{--ink:#1b2430;--muted:#5b6675;--line:#d5dbe3;--bg:#eef1f5;--brand:#1f5eff;--brand-ink:#fff;--bad:#b3261e;--good:#146c2e}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
.bar{display:flex;gap:.5rem;align-items:center;justify-content:center;padding:.6rem 1rem;background:#0f1b2d;color:#dfe7f3;font-size:.85rem}
.bar strong{color:#fff}
main{max-width:30rem;margin:1rem auto 2rem;padding:0 .75rem}
.panel{background:#fff;border:1px solid var(--line);border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(15,27,45,.08)}
.panel+.panel{margin-top:.9rem}
.summary{display:flex;justify-content:space-between;gap:1rem;align-items:flex-start}
.merchant{font-weight:600;font-size:1.1rem;margin:0}
.order{color:var(--muted);font-size:.85rem;margin:.2rem 0 0;word-break:break-all}
.amount{font-size:1.6rem;font-weight:700;margin:0;white-space:nowrap}
h1,h2{font-size:1.15rem;margin:0 0 .75rem}
p{margin:.4rem 0}
.methods{border:0;padding:0;margin:0}
.methods legend{font-weight:600;margin-bottom:.5rem;padding:0}
.method-list{display:grid;grid-template-columns:repeat(auto-fit,minmax(6.5rem,1fr));gap:.5rem}
.method-list button{background:#fff;color:var(--ink);border:1px solid var(--line);font-weight:500}
.method-list button[aria-pressed=true]{border:2px solid var(--brand);background:#eef3ff}
label{display:block;font-weight:600;font-size:.9rem;margin:.8rem 0 .3rem}
input{width:100%;font:inherit;padding:.7rem .75rem;border:1px solid #aab4c2;border-radius:8px;background:#fff;color:var(--ink)}
input[aria-invalid=true]{border-color:var(--bad);box-shadow:0 0 0 1px var(--bad)}
.row{display:flex;gap:.75rem}.row>div{flex:1}
button{font:inherit;font-weight:600;min-height:2.9rem;padding:.6rem 1rem;border-radius:8px;border:0;background:var(--brand);color:var(--brand-ink);cursor:pointer;width:100%}
a.button{display:block;text-align:center;text-decoration:none;font-weight:600;padding:.8rem 1rem;border-radius:8px;background:var(--brand);color:var(--brand-ink)}
button.secondary{background:#fff;color:var(--ink);border:1px solid var(--line)}
button.danger{background:#fff;color:var(--bad);border:1px solid #e3b4b0}
button:disabled{opacity:.6;cursor:progress}
:focus-visible{outline:3px solid #ffb300;outline-offset:2px}
.actions{display:grid;gap:.5rem;margin-top:1rem}
.field-error{color:var(--bad);font-size:.88rem;margin:.3rem 0 0;min-height:0}
.field-error:empty{display:none}
.alert{border-radius:8px;padding:.75rem .9rem;margin:0 0 1rem;background:#fdecea;color:#7a1c15;border:1px solid #f3c0ba}
.note{color:var(--muted);font-size:.85rem}
.brand-tag{float:right;font-size:.8rem;color:var(--muted);font-weight:500}
.sandbox{margin-top:1rem;font-size:.85rem;color:var(--muted)}
.sandbox summary{cursor:pointer}
.sandbox table{border-collapse:collapse;width:100%;margin-top:.4rem}
.sandbox td{padding:.2rem .3rem;border-top:1px solid var(--line)}
.sandbox code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
dl.transfer{display:grid;grid-template-columns:auto 1fr;gap:.35rem .9rem;margin:.5rem 0}
dl.transfer dt{color:var(--muted)}dl.transfer dd{margin:0;font-weight:600;word-break:break-all}
.status{font-size:1.05rem}
.status-succeeded strong{color:var(--good)}.status-failed strong,.status-canceled strong{color:var(--bad)}
.wallet-head{display:flex;align-items:center;gap:.6rem;margin-bottom:.5rem}
.wallet-logo{display:inline-grid;place-items:center;width:2.4rem;height:2.4rem;border-radius:10px;color:#fff;font-weight:700;background:#444}
.qr-box{margin:.8rem 0;text-align:center}.qr-box svg{max-width:200px;height:auto}.qr-box figcaption{font-size:.85rem;color:#555}
.wallet-alipay{background:#1677ff}.wallet-wechat_pay{background:#07c160}.wallet-paypal{background:#003087}
.cancel-link{margin-top:.9rem}
@media (max-width:380px){.summary{flex-direction:column}.amount{font-size:1.4rem}}
`
