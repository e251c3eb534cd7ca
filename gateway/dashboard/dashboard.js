// The dashboard's progressive enhancement (every page works without it): live lists that
// refresh in place, and forms marked data-enhance that post in the background and swap the page
// body with the answer. Plain browser JavaScript, no build step. It never builds HTML from data:
// what it puts in the page is the server's rendered, escaped markup.
'use strict'
;(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? ''
  const status = (text) => { const el = document.getElementById('status'); if (el) el.textContent = text }

  // Live lists: <tbody data-live="/dashboard/…/rows?…"> polls its rows and replaces them when they change.
  for (const body of document.querySelectorAll('[data-live]')) {
    let last = body.innerHTML
    const interval = Number(body.getAttribute('data-interval') ?? 1000)
    const refresh = async () => {
      // A tab nobody looks at does not poll.
      if (document.hidden) { setTimeout(refresh, interval); return }
      try {
        const res = await fetch(body.getAttribute('data-live'), { credentials: 'same-origin', headers: { accept: 'text/html' } })
        if (res.status === 401) { status('Your session ended: log in again.'); return }
        const text = await res.text()
        if (res.ok && text !== last) {
          const before = new Set([...body.querySelectorAll('tr[data-id]')].map((tr) => tr.getAttribute('data-id')))
          // The keyboard's place survives the swap: the same link of the same row keeps the focus.
          const focusedRow = body.contains(document.activeElement) ? document.activeElement.closest('tr[data-id]')?.getAttribute('data-id') : null
          body.innerHTML = text
          last = text
          if (focusedRow != null) [...body.querySelectorAll('tr[data-id]')].find((tr) => tr.getAttribute('data-id') === focusedRow)?.querySelector('a, button')?.focus()
          let added = 0
          for (const tr of body.querySelectorAll('tr[data-id]')) if (!before.has(tr.getAttribute('data-id'))) { tr.classList.add('new'); added++ }
          if (added > 0) status(`${added} new row${added === 1 ? '' : 's'}`)
        }
      } catch {}
      setTimeout(refresh, interval)
    }
    setTimeout(refresh, interval)
  }

  // Forms with data-enhance: posted with fetch; the page that comes back replaces this one's <main>.
  document.addEventListener('submit', async (e) => {
    const form = e.target
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-enhance')) return
    e.preventDefault()
    const button = e.submitter ?? form.querySelector('button')
    const body = new URLSearchParams(new FormData(form, e.submitter ?? undefined))
    button?.setAttribute('aria-busy', 'true')
    try {
      const res = await fetch(form.action, { method: 'POST', body, credentials: 'same-origin', headers: { 'x-csrf-token': csrf } })
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html')
      const main = doc.querySelector('main')
      if (main === null) { status(`The action answered ${res.status}.`); return }
      if (res.redirected) history.replaceState(null, '', res.url)
      document.querySelector('main').replaceWith(document.adoptNode(main))
      const clock = doc.getElementById('gateway-clock')
      if (clock) document.getElementById('gateway-clock')?.replaceWith(document.adoptNode(clock))
      const focus = document.querySelector('main [role=alert], main [data-focus]') ?? document.querySelector('main')
      focus?.setAttribute('tabindex', '-1')
      focus?.focus()
      status(res.ok ? 'Done.' : `Refused (${res.status}).`)
    } finally {
      button?.removeAttribute('aria-busy')
    }
  })
})()
