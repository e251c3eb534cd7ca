// The gateway the bench measures is the one users run: the compiled modules in dist/ (bin/bench.js
// builds them first; `npm test` builds them before the tests). Loading the sources through tsx
// instead would cost each server process over a second of CPU more at its start and measure the
// same code.
export async function fromDist<T> (path: string): Promise<T> {
  return await import(new URL(`../dist/${path}`, import.meta.url).href) as T
}
