// Runs scenario files in-process and keeps what the runner printed.
import { runScenarios, type RunOptions, type RunOutcome } from '../../scenarios/runner/run.js'

export interface Captured extends RunOutcome { stdout: string, stderr: string }

export async function run (options: Omit<RunOptions, 'stdout' | 'stderr'>): Promise<Captured> {
  let stdout = ''
  let stderr = ''
  const outcome = await runScenarios({ ...options, stdout: (s) => { stdout += s }, stderr: (s) => { stderr += s } })
  return { ...outcome, stdout, stderr }
}

export const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname
export const CATALOGUE = new URL('../../scenarios/catalogue', import.meta.url).pathname
