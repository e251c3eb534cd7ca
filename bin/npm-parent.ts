// `npm start` and `npx paylab start` run paylab under `sh -c`. npm passes a SIGTERM or SIGINT sent
// to it on to that shell alone, which dies without passing it on, so paylab was left running,
// orphaned. (Ctrl-C in a terminal reaches every process of the group, paylab too.) Under npm,
// paylab therefore watches its parent, and when it has gone, stops as if it had been signalled
// itself: the graceful shutdown closes the servers and the stores.

/** Under npm (npm_command is set), the process SIGTERMs itself once its parent has exited. */
export function stopWithNpmParent (env: NodeJS.ProcessEnv = process.env, intervalMs = 200): void {
  if (env.npm_command === undefined) return
  const parent = process.ppid
  const timer = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(timer)
    process.kill(process.pid, 'SIGTERM')
  }, intervalMs)
  timer.unref()
}
