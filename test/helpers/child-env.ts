// Node processes a test starts (the CLI, the docs' examples) load TypeScript through tsx, not
// through the tests' loader. tap's process tracking follows them and takes their V8 coverage,
// which it cannot map back to the .ts sources: one such process marked every file it loaded as
// fully covered. Their coverage is turned off (tap keeps any variable a spawn sets itself), so
// the report counts only what the test processes ran.
export function uncoveredEnv (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, _TAPJS_PROCESSINFO_COVERAGE_: '0' }
}
