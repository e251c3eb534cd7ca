// Node processes a test starts (the CLI, the docs' examples) load TypeScript through tsx, not
// through the tests' loader. tap's process tracking follows them and takes their V8 coverage,
// which it cannot map back to the .ts sources: one such process marked every file it loaded as
// fully covered. Their coverage is turned off (tap keeps any variable a spawn sets itself), so
// the report counts only what the test processes ran.
export function uncoveredEnv (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, _TAPJS_PROCESSINFO_COVERAGE_: '0' }
}

const TRACKER = /^"?--(?:import|loader|experimental-loader)[= ]\S*@tapjs[\\/]processinfo\b/

/**
 * The command and arguments that run `command ...args` without tap's process tracking. Even with
 * its coverage off, the tracker (an --import in NODE_OPTIONS that tap puts back into every spawn's
 * environment, whatever the spawn asks) loads in each child and routes every module the child
 * loads through a loader thread: ~0.15 s of CPU for `paylab --help`, ~0.5 s for a gateway. The
 * child is started through env(1), which takes the tracker out of NODE_OPTIONS and then execs
 * the command: same pid, same signals, same stdio. Use with uncoveredEnv() for the environment.
 */
export function untracked (command: string, args: readonly string[] = []): [string, string[]] {
  const rest = (process.env.NODE_OPTIONS ?? '').match(/"(?:[^"\\]|\\.)*"|\S+/g)?.filter((o) => !TRACKER.test(o)) ?? []
  return ['env', [...(rest.length === 0 ? ['-u', 'NODE_OPTIONS'] : [`NODE_OPTIONS=${rest.join(' ')}`]), command, ...args]]
}
