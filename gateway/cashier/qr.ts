// A QR code of a URL as inline SVG (the page's CSP allows no image sources): a phone on the same
// network scans it and opens the same cashier page, as a buyer's WeChat or Alipay app would.
import QRCode from 'qrcode'

export function qrSvg (text: string, label: string): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const size = modules.size
  const quiet = 4
  let path = ''
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) if (modules.get(y, x) === 1) path += `M${x + quiet} ${y + quiet}h1v1h-1z`
  }
  const box = size + 2 * quiet
  return `<svg class="qr" role="img" aria-label="${label.replace(/[&<>"']/g, '')}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${box} ${box}" width="200" height="200" shape-rendering="crispEdges"><rect width="${box}" height="${box}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`
}
