// The hosted cashier's card form, run in the buyer's browser. It checks what was typed (Luhn,
// expiry on the gateway's clock, CVC) and encrypts the card with the gateway's public key
// (RSA-OAEP-256 wrapping an AES-256-GCM key, docs/protocol.md#card-encryption) before anything
// leaves the page. The typed fields have no name attribute, so no form post can carry them:
// only the envelope's hidden fields are sent.
(() => {
  const form = document.getElementById('card-form')
  if (form === null) return
  const $ = (id) => document.getElementById(id)
  const number = $('cc-number')
  const exp = $('cc-exp')
  const cvc = $('cc-cvc')
  const holder = $('cc-name')
  const button = $('pay-button')
  const digitsOf = (s) => s.replace(/[\s-]/g, '')

  function luhn (d) {
    let sum = 0
    for (let i = 0; i < d.length; i++) {
      let n = d.charCodeAt(d.length - 1 - i) - 48
      if (i % 2 === 1) { n *= 2; if (n > 9) n -= 9 }
      sum += n
    }
    return sum % 10 === 0
  }

  function brand (d) {
    if (/^4/.test(d)) return 'Visa'
    if (/^(5[1-5]|2[2-7])/.test(d)) return 'Mastercard'
    if (/^3[47]/.test(d)) return 'American Express'
    if (/^(6011|65|64[4-9])/.test(d)) return 'Discover'
    return ''
  }

  function say (input, message) {
    $(`${input.id}-error`).textContent = message
    input.setAttribute('aria-invalid', message === '' ? 'false' : 'true')
    return message === ''
  }

  function checkNumber () {
    const d = digitsOf(number.value)
    if (d === '') return say(number, 'Enter the card number.')
    if (!/^\d+$/.test(d)) return say(number, 'A card number has digits only.')
    if (d.length < 12 || d.length > 19) return say(number, 'This card number is too short or too long: check the digits.')
    if (!luhn(d)) return say(number, 'This card number is not valid: check for a mistyped digit.')
    return say(number, '')
  }

  function expiry () {
    const m = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(exp.value)
    if (m === null) return undefined
    const year = Number(m[2].length === 2 ? `20${m[2]}` : m[2])
    return { month: Number(m[1]), year }
  }

  function checkExpiry () {
    const e = expiry()
    if (e === undefined) return say(exp, 'Enter the expiry date as MM / YY.')
    if (e.month < 1 || e.month > 12) return say(exp, 'The month must be between 01 and 12.')
    const now = new Date(form.dataset.now)
    if (e.year < now.getUTCFullYear() || (e.year === now.getUTCFullYear() && e.month < now.getUTCMonth() + 1)) return say(exp, 'This card has expired.')
    return say(exp, '')
  }

  function checkCvc () {
    const amex = /^3[47]/.test(digitsOf(number.value))
    if (!(amex ? /^\d{4}$/ : /^\d{3}$/).test(cvc.value.trim())) return say(cvc, `Enter the ${amex ? '4' : '3'}-digit security code.`)
    return say(cvc, '')
  }

  number.addEventListener('input', () => {
    const d = digitsOf(number.value).replace(/\D/g, '').slice(0, 19)
    const grouped = d.replace(/(\d{4})(?=\d)/g, '$1 ')
    if (number.selectionStart === number.value.length) number.value = grouped
    $('cc-brand').textContent = brand(d)
  })
  exp.addEventListener('input', (event) => {
    if (event.inputType === 'deleteContentBackward') return
    const d = exp.value.replace(/\D/g, '').slice(0, 4)
    exp.value = d.length > 2 ? `${d.slice(0, 2)} / ${d.slice(2)}` : d
  })
  number.addEventListener('blur', () => { if (number.value !== '') checkNumber() })
  exp.addEventListener('blur', () => { if (exp.value !== '') checkExpiry() })
  cvc.addEventListener('blur', () => { if (cvc.value !== '') checkCvc() })

  const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  function pemToDer (pem) {
    const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
    return Uint8Array.from(atob(body), (c) => c.charCodeAt(0))
  }

  async function encrypt (card) {
    const subtle = window.crypto.subtle
    const rsa = await subtle.importKey('spki', pemToDer(form.dataset.publicKey), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt'])
    const aes = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt'])
    const iv = window.crypto.getRandomValues(new Uint8Array(12))
    const plain = new TextEncoder().encode(JSON.stringify(card))
    // Web Crypto returns the ciphertext with the 16-byte tag at its end; the envelope keeps them apart.
    const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, tagLength: 128 }, aes, plain))
    const wrapped = await subtle.encrypt({ name: 'RSA-OAEP' }, rsa, await subtle.exportKey('raw', aes))
    return {
      key_id: form.dataset.keyId,
      alg: 'RSA-OAEP-256+A256GCM',
      encrypted_key: b64(wrapped),
      iv: b64(iv),
      ciphertext: b64(sealed.slice(0, sealed.length - 16)),
      tag: b64(sealed.slice(sealed.length - 16))
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    $('form-error').textContent = ''
    const ok = [checkNumber(), checkExpiry(), checkCvc()]
    const first = [number, exp, cvc][ok.indexOf(false)]
    if (first !== undefined) { first.focus(); return }
    const e = expiry()
    const card = { number: digitsOf(number.value), exp_month: e.month, exp_year: e.year, cvc: cvc.value.trim() }
    if (holder.value.trim() !== '') card.holder = holder.value.trim()
    button.disabled = true
    const label = button.textContent
    button.textContent = 'Encrypting and paying…'
    let envelope
    try {
      envelope = await encrypt(card)
    } catch {
      $('form-error').textContent = 'This browser could not encrypt the card. Open the page over https or on localhost and try again.'
      button.disabled = false
      button.textContent = label
      return
    }
    for (const [name, value] of Object.entries(envelope)) form.elements.namedItem(name).value = value
    form.submit()
  })
})()
