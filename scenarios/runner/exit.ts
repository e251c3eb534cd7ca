// The exit codes of `paylab scenarios` (its usage text lists them), apart from the runner so that
// the command can answer --help and usage errors without loading it.
export const EXIT = { passed: 0, failed: 1, invalid: 2, runtime: 3 } as const
